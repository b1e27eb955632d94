package token

import (
	"fmt"
	"regexp"
	"strings"
)

// DefaultRoom is the room a session's links name when none is asked for.
const DefaultRoom = "meeting"

// MaxRooms bounds how many rooms one session mints links for.
const MaxRooms = 10

// roomName is what a room may be called: lowercase ASCII letters, digits and
// inner hyphens. Anything else could hide in a URL (slashes, spaces) or look
// like another room (Unicode look-alikes, case that Jitsi folds away).
var roomName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$`)

// ValidateRoom refuses a room name that is not plain lowercase ASCII.
func ValidateRoom(name string) error {
	if !roomName.MatchString(name) {
		shown := name
		if len(shown) > 70 {
			shown = shown[:70] + "..."
		}
		return fmt.Errorf("room %q: use 1-64 lowercase letters a-z, digits and inner hyphens (no spaces, slashes, capitals or other alphabets)", shown)
	}
	return nil
}

// ParseRooms reads a comma-separated list of room names ("" is the default
// room), refusing bad names and duplicates.
func ParseRooms(list string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return []string{DefaultRoom}, nil
	}
	var rooms []string
	seen := map[string]bool{}
	for _, r := range strings.Split(list, ",") {
		r = strings.TrimSpace(r)
		if err := ValidateRoom(r); err != nil {
			return nil, err
		}
		if seen[r] {
			return nil, fmt.Errorf("room %q is named twice", r)
		}
		seen[r] = true
		rooms = append(rooms, r)
	}
	if len(rooms) > MaxRooms {
		return nil, fmt.Errorf("%d rooms: at most %d per session", len(rooms), MaxRooms)
	}
	return rooms, nil
}

// Rooms is a --rooms flag value: Set parses with ParseRooms, so a bad name
// is refused while the command line (or an Action's input) is read. Unset,
// List is empty and String is "" (the command picks the rooms).
type Rooms struct{ List []string }

func (r *Rooms) Set(s string) error {
	list, err := ParseRooms(s)
	if err != nil {
		return err
	}
	r.List = nil
	if strings.TrimSpace(s) != "" {
		r.List = list
	}
	return nil
}

func (r *Rooms) String() string { return strings.Join(r.List, ",") }
func (r *Rooms) Type() string   { return "rooms" }

// OrDefault is the rooms given, or the default room.
func (r Rooms) OrDefault() []string {
	if len(r.List) == 0 {
		return []string{DefaultRoom}
	}
	return r.List
}
