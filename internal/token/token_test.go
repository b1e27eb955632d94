package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

var (
	settings = Settings{AppID: "jitsi-test", Secret: strings.Repeat("s3cr3t-", 6), Domain: "meet.jitsi"}
	opened   = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	expires  = opened.Add(2 * time.Hour)
)

// decode is an independent reader of a compact HS256 JWT: it checks the
// signature with crypto/hmac and returns the header and the claims as plain
// JSON, sharing no code with the JWT library Mint uses.
func decode(t *testing.T, tok, secret string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts, want 3: %q", len(parts), tok)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatalf("signature is not base64url: %v", err)
	}
	if !hmac.Equal(sig, mac.Sum(nil)) {
		t.Fatalf("HMAC-SHA256 signature does not match the secret")
	}
	for i, into := range []*map[string]any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("part %d is not base64url: %v", i, err)
		}
		if err := json.Unmarshal(raw, into); err != nil {
			t.Fatalf("part %d is not JSON: %v", i, err)
		}
	}
	return header, claims
}

func TestMintedClaimsMatchGolden(t *testing.T) {
	for _, tc := range []struct {
		grant Grant
		want  map[string]any
	}{
		{
			grant: Grant{Room: "*", Moderator: true, Name: "Moderator", NotBefore: opened, Expires: expires},
			want: map[string]any{
				"iss": "jitsi-test", "aud": []any{"jitsi-test"}, "sub": "meet.jitsi", "room": "*",
				"nbf": float64(opened.Unix()), "iat": float64(opened.Unix()), "exp": float64(expires.Unix()),
				"context": map[string]any{"user": map[string]any{"name": "Moderator", "moderator": true, "affiliation": "owner"}},
			},
		},
		{
			grant: Grant{Room: "standup", Name: "Guest", NotBefore: opened, Expires: expires},
			want: map[string]any{
				"iss": "jitsi-test", "aud": []any{"jitsi-test"}, "sub": "meet.jitsi", "room": "standup",
				"nbf": float64(opened.Unix()), "iat": float64(opened.Unix()), "exp": float64(expires.Unix()),
				"context": map[string]any{"user": map[string]any{"name": "Guest", "moderator": false, "affiliation": "member"}},
			},
		},
	} {
		tok, err := Mint(settings, tc.grant)
		if err != nil {
			t.Fatal(err)
		}
		header, claims := decode(t, tok, settings.Secret)
		if want := map[string]any{"alg": "HS256", "typ": "JWT"}; !reflect.DeepEqual(header, want) {
			t.Errorf("header = %v, want %v", header, want)
		}
		if !reflect.DeepEqual(claims, tc.want) {
			t.Errorf("room %s claims =\n%v\nwant\n%v", tc.grant.Room, claims, tc.want)
		}
		if _, err := Verify(settings, tok, "standup", opened.Add(time.Minute)); err != nil {
			t.Errorf("room %s: a fresh token for its room is refused: %v", tc.grant.Room, err)
		}
	}
}

func TestVerifyRefusesWhatProsodyRefuses(t *testing.T) {
	guest := func(mut func(*Grant)) string {
		g := Grant{Room: "standup", NotBefore: opened, Expires: expires}
		if mut != nil {
			mut(&g)
		}
		tok, err := Mint(settings, g)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	other := settings
	other.AppID = "someone-else"
	foreign, err := Mint(other, Grant{Room: "standup", NotBefore: opened, Expires: expires})
	if err != nil {
		t.Fatal(err)
	}
	otherDomain := settings
	otherDomain.Domain = "meet.example"
	wrongSub, err := Mint(otherDomain, Grant{Room: "standup", NotBefore: opened, Expires: expires})
	if err != nil {
		t.Fatal(err)
	}
	tok := guest(nil)
	parts := strings.Split(tok, ".")
	unsigned := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."

	for _, tc := range []struct {
		name, tok, room, want string
		at                    time.Time
		s                     Settings
	}{
		{"expired", tok, "standup", "expired", expires, settings},
		{"expired long ago", tok, "standup", "expired", expires.Add(24 * time.Hour), settings},
		{"not yet valid", tok, "standup", "not valid yet", opened.Add(-time.Second), settings},
		{"wrong room", tok, "review", "not \"review\"", opened.Add(time.Minute), settings},
		{"wrong secret", tok, "standup", "signature is invalid", opened.Add(time.Minute), Settings{AppID: settings.AppID, Secret: strings.Repeat("x", 40), Domain: settings.Domain}},
		{"other issuer and audience", foreign, "standup", "invalid issuer", opened.Add(time.Minute), settings},
		{"other subject", wrongSub, "standup", "subject", opened.Add(time.Minute), settings},
		{"alg none", unsigned, "standup", "signing method none is invalid", opened.Add(time.Minute), settings},
	} {
		_, err := Verify(tc.s, tc.tok, tc.room, tc.at)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Verify = %v, want an error with %q", tc.name, err, tc.want)
		}
	}
	// The last valid second and a room in other case still pass, as in Prosody.
	if _, err := Verify(settings, tok, "StandUp", expires.Add(-time.Second)); err != nil {
		t.Errorf("a token one second before expiry is refused: %v", err)
	}
}

func TestSessionLinksExpireWithTheSession(t *testing.T) {
	for _, until := range []time.Time{expires, expires.Add(3 * time.Hour)} { // open, then extend
		links, err := SessionLinks(settings, "https://meet.example.com/", []string{"standup", "review"}, opened, until)
		if err != nil {
			t.Fatal(err)
		}
		roles := []string{}
		for _, l := range links {
			roles = append(roles, l.Role+":"+l.Room)
			u, err := url.Parse(l.URL)
			if err != nil {
				t.Fatal(err)
			}
			if u.Host != "meet.example.com" || u.Path != "/"+l.Room {
				t.Errorf("link %s points at %s%s", l.Role, u.Host, u.Path)
			}
			_, claims := decode(t, u.Query().Get("jwt"), settings.Secret)
			if got := int64(claims["exp"].(float64)); got != until.Unix() || !l.Expires.Equal(until) {
				t.Errorf("%s link for %s expires at %d (%s), want the session's expiry %d", l.Role, l.Room, got, l.Expires, until.Unix())
			}
			c, err := Verify(settings, u.Query().Get("jwt"), l.Room, until.Add(-time.Minute))
			if err != nil {
				t.Errorf("%s link for %s refused: %v", l.Role, l.Room, err)
			}
			if c.Context.User.Moderator != (l.Role == RoleModerator) {
				t.Errorf("%s link for %s has moderator=%v", l.Role, l.Room, c.Context.User.Moderator)
			}
			if _, err := Verify(settings, u.Query().Get("jwt"), l.Room, until); err == nil {
				t.Errorf("%s link for %s still valid at the session's expiry", l.Role, l.Room)
			}
		}
		if want := []string{"moderator:standup", "guest:standup", "guest:review"}; !reflect.DeepEqual(roles, want) {
			t.Errorf("links = %v, want %v", roles, want)
		}
	}
}

func TestMintRefusesBadSettings(t *testing.T) {
	for _, s := range []Settings{
		{Secret: settings.Secret, Domain: "meet.jitsi"},
		{AppID: "a", Secret: "short", Domain: "meet.jitsi"},
		{AppID: "a", Secret: settings.Secret},
	} {
		if _, err := Mint(s, Grant{Room: "x", NotBefore: opened, Expires: expires}); err == nil {
			t.Errorf("Mint with %+v succeeded", Settings{AppID: s.AppID, Domain: s.Domain})
		}
	}
	if _, err := Mint(settings, Grant{Room: "x", NotBefore: expires, Expires: opened}); err == nil {
		t.Error("Mint of a token that expires before it starts succeeded")
	}
}

func TestParseRooms(t *testing.T) {
	good := map[string][]string{
		"":                  {DefaultRoom},
		"standup":           {"standup"},
		"standup, review-2": {"standup", "review-2"},
	}
	for in, want := range good {
		got, err := ParseRooms(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseRooms(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{
		"stand up", "a/b", "../admin", strings.Repeat("a", 200), "Standup",
		"stаndup", // Cyrillic а
		"ｓｔａｎｄｕｐ", "-x", "x-", "a,,b", "a,a", "room?jwt=x", "a%2fb",
		strings.Repeat("r,", MaxRooms) + "last",
	} {
		if _, err := ParseRooms(in); err == nil {
			t.Errorf("ParseRooms(%q) accepted a bad list", in)
		}
	}
}
