package cost

import (
	"fmt"
	"math/big"
	"strings"
)

// Money is an amount in US dollars counted in nano-dollars (1e-9 USD).
// Integers keep sums exact: the seed's 0.2205 × 10 + 0.24 must come out as
// 2.445, not 2.4449999, or its rounding to $2.45 cannot be reproduced.
type Money int64

const nanoPerDollar = 1_000_000_000

// Dollars builds a Money from whole dollars (for tests and thresholds).
func Dollars(d int64) Money { return Money(d * nanoPerDollar) }

// ParseMoney reads a decimal dollar amount such as "0.04048" or the Price
// List API's "0.0404800000". Digits beyond the ninth decimal are rounded half
// up; AWS publishes at most ten decimals and the tenth is zero in practice.
func ParseMoney(s string) (Money, error) {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok || strings.ContainsAny(s, "eE/") {
		return 0, fmt.Errorf("cost: %q is not a decimal dollar amount", s)
	}
	r.Mul(r, big.NewRat(nanoPerDollar, 1))
	return Money(roundRat(r)), nil
}

// roundRat rounds half away from zero, the way the seed (and most people)
// round cents; banker's rounding would turn the seed's $2.445 into $2.44.
func roundRat(r *big.Rat) int64 {
	num := new(big.Int).Set(r.Num())
	den := r.Denom()
	neg := num.Sign() < 0
	num.Abs(num)
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if m.Mul(m, big.NewInt(2)).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return q.Int64()
}

// MulDiv returns m × num / den rounded half up, without overflow: bytes ×
// nano-dollars per GB easily exceeds int64 before the division.
func (m Money) MulDiv(num, den int64) Money {
	if den == 0 {
		panic("cost: MulDiv by zero")
	}
	r := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(int64(m)), big.NewInt(num)), big.NewInt(den))
	return Money(roundRat(r))
}

// Mul multiplies by a whole quantity.
func (m Money) Mul(n int64) Money { return m * Money(n) }

// Round rounds to the given number of decimals (2 = cents), half up.
func (m Money) Round(decimals int) Money {
	unit := int64(1)
	for i := decimals; i < 9; i++ {
		unit *= 10
	}
	return Money(roundRat(big.NewRat(int64(m), unit))) * Money(unit)
}

// Ceil rounds up to the given number of decimals.
func (m Money) Ceil(decimals int) Money {
	unit := Money(1)
	for i := decimals; i < 9; i++ {
		unit *= 10
	}
	q := m / unit
	if m%unit > 0 {
		q++
	}
	return q * unit
}

// String prints dollars with at least two and at most five decimals,
// trimming trailing zeros: $0.2205, $0.19748, $2.45, -$1.20.
func (m Money) String() string { return m.Format(2, 5) }

// Cents prints the amount rounded to cents: $2.45.
func (m Money) Cents() string { return m.Round(2).Format(2, 2) }

// Format prints with between minDec and maxDec decimals (rounded half up at
// maxDec), trimming zeros beyond minDec.
func (m Money) Format(minDec, maxDec int) string {
	r := m.Round(maxDec)
	sign := ""
	if r < 0 {
		sign = "-"
		r = -r
	}
	whole := int64(r) / nanoPerDollar
	frac := fmt.Sprintf("%09d", int64(r)%nanoPerDollar)[:maxDec]
	for len(frac) > minDec && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	s := fmt.Sprintf("%s$%s", sign, groupThousands(whole))
	if frac != "" {
		s += "." + frac
	}
	return s
}

func groupThousands(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Float is for charts only; never do arithmetic with it.
func (m Money) Float() float64 { return float64(m) / nanoPerDollar }

// MarshalText writes the exact decimal amount (no $), so JSON output and the
// cache round-trip without loss.
func (m Money) MarshalText() ([]byte, error) {
	sign := ""
	v := int64(m)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Appendf(nil, "%s%d.%09d", sign, v/nanoPerDollar, v%nanoPerDollar), nil
}

// UnmarshalText reads what MarshalText writes, or any decimal amount.
func (m *Money) UnmarshalText(b []byte) error {
	v, err := ParseMoney(string(b))
	*m = v
	return err
}
