// Package workspace holds a startup's data: its documents (the company and
// cap table, valuation inputs, the runway plan, compute plans, offers…),
// the audit log of every change, and the accounts that may read or edit
// them. Storage is SQLite by default and PostgreSQL for teams, with the
// same versioned migrations.
//
// A document is stored as its YAML text, exactly as the user (or the
// dashboard) wrote it, and is validated on every write by the domain
// package that owns its kind, so a workspace never holds a document the
// CLI would reject.
package workspace

import (
	"context"
	"errors"
	"time"

	"github.com/kaiwu-ai/kaiwu/lifecycle"
)

// Kind names a kind of document; each kind has a domain parser.
type Kind string

// The document kinds.
const (
	KindCompany   Kind = "company"   // finance/captable document (cap table, rounds, scenarios)
	KindValuation Kind = "valuation" // finance/valuation document
	KindOffers    Kind = "offers"    // finance/termsheet offers document
	KindRunway    Kind = "runway"    // finance/runway plan
	KindChannels  Kind = "channels"  // finance/channel overrides
	KindCompute   Kind = "compute"   // a compute plan (model, training and serving runs)
	KindProfile   Kind = "profile"   // the company profile (name, currency, stage, sector)
)

// Document is one stored document. Version starts at 1 and grows by one
// with every write; a writer states the version it read (optimistic
// locking).
type Document struct {
	Kind      Kind      `json:"kind"`
	Name      string    `json:"name"`
	Version   int64     `json:"version"`
	Body      string    `json:"body"` // YAML text
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
}

// AuditEntry records one change: who, when, what, and the bodies before
// and after (Before is empty for a creation, After for a deletion).
type AuditEntry struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"` // "create", "update", "delete", "import"
	Kind    Kind      `json:"kind"`
	Name    string    `json:"name"`
	Version int64     `json:"version"`
	Before  string    `json:"before,omitempty"`
	After   string    `json:"after,omitempty"`
}

// Role is what an account may do.
type Role string

// The roles, from most to least powerful.
const (
	RoleOwner  Role = "owner"  // everything, including accounts
	RoleEditor Role = "editor" // read and write documents
	RoleViewer Role = "viewer" // read only (an investor's view)
)

// User is an account. The password hash never leaves the store.
type User struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Lang      string    `json:"lang"` // "zh" or "en"
	CreatedAt time.Time `json:"created_at"`
}

// Errors the stores return; test with errors.Is.
var (
	ErrNotFound = errors.New("workspace: not found")
	ErrConflict = errors.New("workspace: the document changed since it was read")
	ErrExists   = errors.New("workspace: already exists")
)

// ConflictError is returned (wrapping ErrConflict) when a write names a
// stale version; Current is what is stored now, so the user can see what
// changed.
type ConflictError struct {
	Current Document
}

func (e *ConflictError) Error() string {
	return "workspace: " + string(e.Current.Kind) + "/" + e.Current.Name + " is at version " +
		itoa(e.Current.Version) + ": it changed since it was read"
}

// Unwrap makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Unwrap() error { return ErrConflict }

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// Store is a workspace. Every method is safe for concurrent use; every
// write is one transaction (atomic: a crash leaves the old or the new
// state, never half of one).
type Store interface {
	// Get returns the document, or ErrNotFound.
	Get(ctx context.Context, kind Kind, name string) (Document, error)
	// List returns the documents of kind (all kinds when kind is ""),
	// ordered by kind and name.
	List(ctx context.Context, kind Kind) ([]Document, error)
	// Put validates body for its kind and writes it. expectVersion is the
	// version the writer read (0: the document must not exist yet). A
	// stale version returns a *ConflictError; an invalid body returns the
	// domain parser's error, which says what and where.
	Put(ctx context.Context, kind Kind, name, body string, expectVersion int64, actor string) (Document, error)
	// Delete removes the document if it is still at expectVersion.
	Delete(ctx context.Context, kind Kind, name string, expectVersion int64, actor string) error
	// History returns the audit entries of one document (kind and name
	// set) or of the whole workspace (both empty), newest first, at most
	// limit (0: all).
	History(ctx context.Context, kind Kind, name string, limit int) ([]AuditEntry, error)

	// CreateUser adds an account (ErrExists if the name is taken);
	// password is hashed with argon2id or bcrypt before it is stored.
	CreateUser(ctx context.Context, name, password string, role Role) (User, error)
	// Authenticate checks a password; a wrong name or password both
	// return ErrNotFound after the same work (no user enumeration).
	Authenticate(ctx context.Context, name, password string) (User, error)
	// Users lists the accounts; UserByID finds one.
	Users(ctx context.Context) ([]User, error)
	UserByID(ctx context.Context, id int64) (User, error)
	// SetUserLang stores a user's language ("zh" or "en").
	SetUserLang(ctx context.Context, id int64, lang string) error

	// CreateSession stores a new session for user and returns its opaque
	// token (random, at least 128 bits); Session resolves a token (expired
	// or unknown: ErrNotFound); DeleteSession logs out.
	CreateSession(ctx context.Context, userID int64, ttl time.Duration) (token string, err error)
	Session(ctx context.Context, token string) (User, error)
	DeleteSession(ctx context.Context, token string) error
	// CreateToken makes an API token for scripts (shown once; only its
	// hash is stored); TokenUser resolves one.
	CreateToken(ctx context.Context, userID int64, label string) (token string, err error)
	TokenUser(ctx context.Context, token string) (User, error)

	// Export writes the whole workspace (documents, users without
	// secrets, audit log) as one YAML or JSON document; Import reads it
	// back into an empty workspace, exactly.
	Export(ctx context.Context, json bool) ([]byte, error)
	Import(ctx context.Context, data []byte, json bool, actor string) error

	// Sharing returns, for every document kind and for the training runs
	// (Shareable), whether viewers may read them; what the owner never
	// set takes DefaultShared (only the profile). Owners and editors read
	// everything regardless.
	Sharing(ctx context.Context) (map[Kind]bool, error)
	// SetSharing shares kind with viewers or stops sharing it; each
	// change is logged with actor and time (SharingLog). Setting the
	// current value is a no-op.
	SetSharing(ctx context.Context, kind Kind, shared bool, actor string) error
	// SharingLog returns the sharing changes, newest first, at most limit
	// (0: all).
	SharingLog(ctx context.Context, limit int) ([]SharingChange, error)

	// The training runs (lifecycle.Store: CreateRun, UpdateRun, Run,
	// Runs, RequestCancel, Heartbeat, FailStaleRuns), table runs.
	lifecycle.Store

	Close() error
}
