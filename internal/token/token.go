// Package token mints the JWTs that let people into a session's meetings and
// checks them by the rules Prosody's token verification applies
// (jitsi-meet's token/util.lib.lua with docker-jitsi-meet's settings): an
// HS256 signature with the app secret, the issuer and audience set to the app
// id, the subject set to the XMPP domain, a room claim naming the room (or
// "*"), exp and nbf, and the moderator flag in context.user.
package token

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Settings are what the stack gives Prosody: JWT_APP_ID (also the accepted
// issuer and audience), JWT_APP_SECRET and the XMPP domain.
type Settings struct {
	AppID  string
	Secret string
	Domain string
}

func (s Settings) check() error {
	switch {
	case s.AppID == "":
		return errors.New("no JWT app id (the stack's jwt_app_id output is empty: apply the stack first)")
	case len(s.Secret) < 32:
		return errors.New("the JWT app secret is missing or shorter than 32 characters")
	case s.Domain == "":
		return errors.New("no XMPP domain to use as the token subject")
	}
	return nil
}

// Grant is one person's way into one room.
type Grant struct {
	Room      string
	Moderator bool
	// Name is shown as the display name until the person changes it.
	Name      string
	NotBefore time.Time
	Expires   time.Time
}

// User is context.user: who the holder is and whether they moderate.
type User struct {
	Name        string `json:"name,omitempty"`
	Moderator   bool   `json:"moderator"`
	Affiliation string `json:"affiliation"`
}

// Context is the context claim Prosody reads identity and role from.
type Context struct {
	User User `json:"user"`
}

// Claims is the token body.
type Claims struct {
	jwt.RegisteredClaims
	Room    string  `json:"room"`
	Context Context `json:"context"`
}

// Mint signs a token for g. A room of "*" lets the holder into any room.
func Mint(s Settings, g Grant) (string, error) {
	if err := s.check(); err != nil {
		return "", err
	}
	if g.Room != "*" {
		if err := ValidateRoom(g.Room); err != nil {
			return "", err
		}
	}
	if !g.Expires.After(g.NotBefore) {
		return "", fmt.Errorf("token for room %s would expire (%s) before it is valid (%s)", g.Room, g.Expires.Format(time.RFC3339), g.NotBefore.Format(time.RFC3339))
	}
	affiliation := "member"
	if g.Moderator {
		affiliation = "owner"
	}
	c := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.AppID,
			Audience:  jwt.ClaimStrings{s.AppID},
			Subject:   s.Domain,
			NotBefore: jwt.NewNumericDate(g.NotBefore),
			IssuedAt:  jwt.NewNumericDate(g.NotBefore),
			ExpiresAt: jwt.NewNumericDate(g.Expires),
		},
		Room:    g.Room,
		Context: Context{User: User{Name: g.Name, Moderator: g.Moderator, Affiliation: affiliation}},
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(s.Secret))
}

// Verify checks tok for joining room at now the way Prosody does, and returns
// its claims. Prosody compares the room lowercased and has no clock leeway.
func Verify(s Settings, tok, room string, now time.Time) (Claims, error) {
	if err := s.check(); err != nil {
		return Claims{}, err
	}
	var c Claims
	_, err := jwt.ParseWithClaims(tok, &c, func(*jwt.Token) (any, error) { return []byte(s.Secret), nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(s.AppID),
		jwt.WithAudience(s.AppID),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	if err != nil {
		return Claims{}, fmt.Errorf("token refused: %w", err)
	}
	if c.Subject != s.Domain && c.Subject != "*" {
		return Claims{}, fmt.Errorf("token refused: subject %q is not the domain %s", c.Subject, s.Domain)
	}
	if c.Room == "" {
		return Claims{}, errors.New("token refused: no room claim")
	}
	if c.Room != "*" && !strings.EqualFold(c.Room, room) {
		return Claims{}, fmt.Errorf("token refused: it is for room %q, not %q", c.Room, room)
	}
	return c, nil
}

// Link is the meeting URL of room carrying tok (Jitsi Meet reads ?jwt=).
func Link(meetingURL, room, tok string) (string, error) {
	u, err := url.Parse(meetingURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return "", fmt.Errorf("meeting URL %q is not an https URL", meetingURL)
	}
	u.Path = "/" + room
	u.RawQuery = url.Values{"jwt": {tok}}.Encode()
	return u.String(), nil
}
