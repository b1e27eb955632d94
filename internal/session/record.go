// Package session opens, closes, extends and reaps Jitsi sessions: the
// on-demand NLB and the Fargate task that exist only while people meet.
//
// The session record is one JSON object in the state bucket, written with S3
// conditional writes: created with If-None-Match, updated with If-Match on the
// ETag that was read. That makes it the lock (two opens give one session) and
// the journal (a crashed open is resumed or closed from what it recorded).
package session

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// State of a session.
type State string

const (
	StateNone    State = "none"    // no record yet: never opened
	StateOpening State = "opening" // an open is running (or crashed: see Lease)
	StateOpen    State = "open"
	StateClosing State = "closing" // a close is running (or crashed)
	StateClosed  State = "closed"
	// StateLingering: closed for users (task at zero, targets deregistered),
	// but the NLB and its Elastic IPs stay until LingerUntil, shortly before
	// the NLB's paid hour ends, so an open meanwhile reuses them (linger.go).
	StateLingering State = "lingering"
)

// Step is one recorded step, for resume and for the timeline.
type Step struct {
	Name     string    `json:"name"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitempty"`
	Error    string    `json:"error,omitempty"`
}

// Record is what the state bucket holds about the current (or last) session.
type Record struct {
	State     State     `json:"state"`
	OpenedBy  string    `json:"opened_by,omitempty"`
	RunURL    string    `json:"run_url,omitempty"`
	Hours     int       `json:"hours,omitempty"`
	OpenedAt  time.Time `json:"opened_at,omitempty"`
	ExpiresAt time.Time `json:"expires_at,omitempty"`
	ClosedAt  time.Time `json:"closed_at,omitempty"`
	// Owner and LeaseUntil: the run working on an opening/closing record renews
	// its lease; another run may take over only after the lease lapsed (the
	// first one crashed), so a crash never blocks a session forever.
	Owner      string    `json:"owner,omitempty"`
	LeaseFrom  time.Time `json:"lease_from,omitempty"`
	LeaseHost  string    `json:"lease_host,omitempty"` // the machine the owner runs on
	LeaseUntil time.Time `json:"lease_until,omitempty"`
	// EndedLeases are earlier runs' leases that ended without finishing
	// (lapsed, released on failure, or taken over): a Terraform lock taken
	// inside one of them is that run's (see lockrecovery.go).
	EndedLeases []Lease  `json:"ended_leases,omitempty"`
	URL         string   `json:"url,omitempty"`
	Addresses   []string `json:"addresses,omitempty"`
	NLBArn      string   `json:"nlb_arn,omitempty"`
	NLBDNS      string   `json:"nlb_dns,omitempty"`
	TaskArn     string   `json:"task_arn,omitempty"`
	TaskIP      string   `json:"task_ip,omitempty"`
	Steps       []Step   `json:"steps,omitempty"`
	// LastError is why the last open or close failed, shown by status.
	LastError string `json:"last_error,omitempty"`
	// NLBCreatedAt is when this NLB's billing hour started: a close keeps its
	// record so a reopen within the paid hour can be priced honestly.
	NLBCreatedAt time.Time `json:"nlb_created_at,omitempty"`
	// TaskStartedAt is when the task was asked for (Fargate bills from the
	// image pull, which follows at once).
	TaskStartedAt time.Time `json:"task_started_at,omitempty"`
	// ImagePull is the task's image pull as ECS reported it (phase timings).
	ImagePull *Span `json:"image_pull,omitempty"`
	// LingerFrom and LingerUntil: when a lingering close kept the NLB and
	// until when (see linger.go). Reopened marks an open that reuses them.
	LingerFrom  time.Time `json:"linger_from,omitempty"`
	LingerUntil time.Time `json:"linger_until,omitempty"`
	Reopened    bool      `json:"reopened,omitempty"`
	// LastUsage is what the last closed session kept billing for, and Ledger
	// sums it per calendar month (UTC, "2006-01"): cost reports price these
	// with the cost model, including the previous month's estimate.
	LastUsage *Usage            `json:"last_usage,omitempty"`
	Ledger    map[string]Ledger `json:"ledger,omitempty"`

	// Rooms are the meeting rooms the session's links name (extend re-mints them).
	Rooms []string `json:"rooms,omitempty"`
}

// Usage is how long one session's billed parts existed.
type Usage struct {
	Task time.Duration `json:"task_ns"`
	NLB  time.Duration `json:"nlb_ns"`
	// NLBHours are the whole hours AWS bills for the NLB (partial hours round up).
	NLBHours int64 `json:"nlb_hours"`
	// LingerAddresses is address-time kept while lingering (Elastic IPs x
	// minutes), what the linger cost; Reopens are opens that reused a
	// lingering NLB, each one NLB hour not started.
	LingerAddresses time.Duration `json:"linger_address_ns,omitempty"`
	Reopens         int64         `json:"reopens,omitempty"`
}

// Ledger sums a month's sessions.
type Ledger struct {
	Sessions int64         `json:"sessions"`
	Task     time.Duration `json:"task_ns"`
	NLB      time.Duration `json:"nlb_ns"`
	NLBHours int64         `json:"nlb_hours"`
	// See Usage.
	LingerAddresses time.Duration `json:"linger_address_ns,omitempty"`
	Reopens         int64         `json:"reopens,omitempty"`
}

// book books one closed session into the month it ended in.
func (r *Record) book(u Usage, at time.Time) {
	r.bookPart(u, at, true)
	r.LastUsage = &u
}

// bookPart adds usage to the month of at; newSession counts a session (a
// lingering close books the task, the NLB's removal later books the NLB).
func (r *Record) bookPart(u Usage, at time.Time, newSession bool) {
	if r.Ledger == nil {
		r.Ledger = map[string]Ledger{}
	}
	month := at.UTC().Format("2006-01")
	l := r.Ledger[month]
	if newSession {
		l.Sessions++
	}
	l.Task += u.Task
	l.NLB += u.NLB
	l.NLBHours += u.NLBHours
	l.LingerAddresses += u.LingerAddresses
	l.Reopens += u.Reopens
	r.Ledger[month] = l
}

// wholeHours rounds a lifetime up to billed hours (an NLB that existed at all bills one).
func wholeHours(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Hour - 1) / time.Hour)
}

// NLBWanted is what every Terraform run derives nlb_enabled from: the NLB
// must exist whenever a session is (or may be) live.
func (r Record) NLBWanted() bool {
	return r.State == StateOpening || r.State == StateOpen || r.State == StateClosing || r.State == StateLingering
}

// Objects is the S3 surface the record needs.
type Objects interface {
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// Store reads and writes the record with compare-and-swap.
type Store struct {
	API    Objects
	Bucket string
	Key    string
}

// ErrConflict means someone else wrote the record between our read and write.
var ErrConflict = errors.New("session record changed concurrently")

// Versioned is a record and the ETag it was read at ("" = does not exist).
type Versioned struct {
	Record
	ETag string
}

// Load reads the record; a missing object is StateNone with an empty ETag.
func (s Store) Load(ctx context.Context) (Versioned, error) {
	out, err := s.API.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.Bucket, Key: &s.Key})
	if err != nil {
		if isCode(err, "NoSuchKey", "NotFound") {
			return Versioned{Record: Record{State: StateNone}}, nil
		}
		return Versioned{}, fmt.Errorf("read session record s3://%s/%s: %w", s.Bucket, s.Key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return Versioned{}, fmt.Errorf("read session record: %w", err)
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return Versioned{}, fmt.Errorf("session record s3://%s/%s is not valid JSON (fix or delete it): %w", s.Bucket, s.Key, err)
	}
	return Versioned{Record: r, ETag: aws.ToString(out.ETag)}, nil
}

// Save writes r only if the object is still at etag ("" = must not exist yet),
// and returns the new ETag. A lost race is ErrConflict.
func (s Store) Save(ctx context.Context, r Record, etag string) (string, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", err
	}
	in := &s3.PutObjectInput{
		Bucket: &s.Bucket, Key: &s.Key, Body: bytes.NewReader(b),
		ContentType: aws.String("application/json"),
	}
	if etag == "" {
		in.IfNoneMatch = aws.String("*")
	} else {
		in.IfMatch = aws.String(etag)
	}
	out, err := s.API.PutObject(ctx, in)
	if err != nil {
		if isCode(err, "PreconditionFailed", "ConditionalRequestConflict") {
			return "", ErrConflict
		}
		return "", fmt.Errorf("write session record s3://%s/%s: %w", s.Bucket, s.Key, err)
	}
	return aws.ToString(out.ETag), nil
}

func isCode(err error, codes ...string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return true
		}
	}
	return false
}
