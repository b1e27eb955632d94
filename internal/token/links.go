package token

import (
	"fmt"
	"strings"
	"time"
)

// Roles of a link.
const (
	RoleModerator = "moderator"
	RoleGuest     = "guest"
)

// SessionLink is one bearer link into a session's meeting.
type SessionLink struct {
	Room    string    `json:"room"`
	Role    string    `json:"role"`
	URL     string    `json:"url"`
	Expires time.Time `json:"expires"`
}

// SessionLinks mints a session's links, all valid from notBefore until
// expires (the session's expiry): one moderator link, good in every room and
// pointing at the first, and one guest link per room.
func SessionLinks(s Settings, meetingURL string, rooms []string, notBefore, expires time.Time) ([]SessionLink, error) {
	if len(rooms) == 0 {
		rooms = []string{DefaultRoom}
	}
	grants := []Grant{{Room: "*", Moderator: true, Name: "Moderator"}}
	for _, r := range rooms {
		grants = append(grants, Grant{Room: r, Name: "Guest"})
	}
	var out []SessionLink
	for i, g := range grants {
		g.NotBefore, g.Expires = notBefore, expires
		tok, err := Mint(s, g)
		if err != nil {
			return nil, err
		}
		room, role := g.Room, RoleGuest
		if g.Moderator {
			room, role = rooms[0], RoleModerator
		}
		u, err := Link(meetingURL, room, tok)
		if err != nil {
			return nil, fmt.Errorf("link %d: %w", i, err)
		}
		out = append(out, SessionLink{Room: room, Role: role, URL: u, Expires: expires})
	}
	return out, nil
}

// LinksSummary is the job summary section of a private repository: the links.
func LinksSummary(links []SessionLink) string {
	var b strings.Builder
	b.WriteString("### Meeting links\n\nAnyone holding a link can join until it expires: share each privately.\n\n| role | room | link | valid until |\n|---|---|---|---|\n")
	for _, l := range links {
		fmt.Fprintf(&b, "| %s | %s | [join %s](%s) | %s |\n", l.Role, l.Room, l.Room, l.URL, l.Expires.UTC().Format(time.RFC3339))
	}
	return b.String() + "\n"
}

// PublicLinksSummary tells a public repository's readers how members get the
// links of rooms, which expire with the session at expires.
func PublicLinksSummary(rooms []string, expires time.Time) string {
	return fmt.Sprintf("### Meeting links\n\nThis repository is public (or its visibility is unknown), so links are not shown here: anyone could read them. "+
		"With AWS credentials for the stack, run\n\n```\njitsictl session links --rooms %s\n```\n\nLinks expire with the session (%s).\n\n",
		strings.Join(rooms, ","), expires.UTC().Format(time.RFC3339))
}
