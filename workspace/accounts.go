package workspace

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
)

// Passwords are hashed with argon2id (RFC 9106) and stored in the PHC
// string format, $argon2id$v=19$m=…,t=…,p=…$salt$hash, with a random
// 16-byte salt per user; the parameters travel with the hash, so raising
// them later leaves old hashes verifiable.
//
// The parameters are OWASP's (Password Storage Cheat Sheet, 2024):
// m = 19 MiB, t = 2, p = 1 — about 30–60 ms on one core, cheap enough for
// a login, dear for an attacker with a stolen database.
var argonParams = struct {
	memory  uint32 // KiB
	time    uint32
	threads uint8
}{memory: 19 * 1024, time: 2, threads: 1}

const (
	saltBytes  = 16
	hashBytes  = 32
	tokenBytes = 32 // session and API tokens: 256 bits from crypto/rand
	// MaxPasswordBytes bounds the work an attacker can make one login cost.
	MaxPasswordBytes = 1024
	// APITokenPrefix starts every API token, so that a leaked token is
	// recognisable (secret scanners, logs).
	APITokenPrefix = "kaiwu_"
)

func hashPassword(password string) (string, error) {
	salt := make([]byte, saltBytes)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	p := argonParams
	h := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, hashBytes)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memory, p.time, p.threads,
		b64.EncodeToString(salt), b64.EncodeToString(h)), nil
}

// dummyHash is verified against when the user does not exist or has no
// password, so that every failed login does the same work.
var dummyHash = sync.OnceValue(func() string {
	h, err := hashPassword("kaiwu: no such user")
	if err != nil {
		panic(err)
	}
	return h
})

// verifyPassword checks password against an encoded hash in constant time.
func verifyPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<22 || t > 100 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || len(want) > 128 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// newToken returns a random token and the hex SHA-256 that is stored: a
// stolen database yields no usable session or API token. (A fast hash is
// right here: the token has 256 bits of entropy, nothing to brute-force.)
func newToken(prefix string) (token, hash string, err error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, tokenHash(token), nil
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// ParseRole reads "owner", "editor" or "viewer".
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleOwner, RoleEditor, RoleViewer:
		return r, nil
	}
	return "", fmt.Errorf("workspace: unknown role %q (want owner, editor or viewer)", s)
}

// CanWrite reports whether the role may change documents.
func (r Role) CanWrite() bool { return r == RoleOwner || r == RoleEditor }

// CanAdmin reports whether the role may manage accounts.
func (r Role) CanAdmin() bool { return r == RoleOwner }

// DefaultLang is the language of a new account.
const DefaultLang = "zh"

func checkPassword(password string) error {
	if password == "" {
		return errors.New("workspace: the password is empty")
	}
	if len(password) > MaxPasswordBytes {
		return fmt.Errorf("workspace: the password is longer than %d bytes", MaxPasswordBytes)
	}
	return nil
}

const userColumns = "id, name, role, lang, created_at"

func scanUser(sc interface{ Scan(...any) error }) (User, error) {
	var u User
	var role, at string
	if err := sc.Scan(&u.ID, &u.Name, &role, &u.Lang, &at); err != nil {
		return User{}, err
	}
	u.Role = Role(role)
	t, err := parseTime(at)
	if err != nil {
		return User{}, err
	}
	u.CreatedAt = t
	return u, nil
}

// CreateUser adds an account (ErrExists if the name is taken). The name
// follows ValidName; the password must not be empty and is stored only as
// its argon2id hash. The account's language starts as DefaultLang.
func (s *DB) CreateUser(ctx context.Context, name, password string, role Role) (User, error) {
	if err := ValidName(name); err != nil {
		return User{}, err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return User{}, err
	}
	if err := checkPassword(password); err != nil {
		return User{}, err
	}
	h, err := hashPassword(password)
	if err != nil {
		return User{}, err
	}
	u := User{Name: name, Role: role, Lang: DefaultLang, CreatedAt: now()}
	err = s.queryRow(ctx, s.db, "INSERT INTO users (name, role, lang, password_hash, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
		name, string(role), u.Lang, h, formatTime(u.CreatedAt)).Scan(&u.ID)
	if s.dialect.isUnique(err) {
		return User{}, fmt.Errorf("%w: user %q", ErrExists, name)
	}
	if err != nil {
		return User{}, s.dbErr("creating user "+name, err)
	}
	return u, nil
}

// SetPassword replaces a user's password (an imported account has none
// until one is set) and ends the user's sessions, so that a password
// changed after a leak locks the intruder out. API tokens stay valid.
func (s *DB) SetPassword(ctx context.Context, id int64, password string) error {
	if err := checkPassword(password); err != nil {
		return err
	}
	h, err := hashPassword(password)
	if err != nil {
		return err
	}
	if err := s.updateUser(ctx, id, "password_hash", h); err != nil {
		return err
	}
	_, err = s.exec(ctx, s.db, "DELETE FROM sessions WHERE user_id = ?", id)
	return s.dbErr("ending sessions", err)
}

// SetUserLang stores a user's language ("zh" or "en").
func (s *DB) SetUserLang(ctx context.Context, id int64, lang string) error {
	if lang != "zh" && lang != "en" {
		return fmt.Errorf("workspace: language %q: want zh or en", lang)
	}
	return s.updateUser(ctx, id, "lang", lang)
}

// SetUserRole changes a user's role.
func (s *DB) SetUserRole(ctx context.Context, id int64, role Role) error {
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	return s.updateUser(ctx, id, "role", string(role))
}

func (s *DB) updateUser(ctx context.Context, id int64, column, value string) error {
	res, err := s.exec(ctx, s.db, "UPDATE users SET "+column+" = ? WHERE id = ?", value, id)
	if err != nil {
		return s.dbErr("updating user "+strconv.FormatInt(id, 10), err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("%w: user %d", ErrNotFound, id)
	}
	return nil
}

// Authenticate checks a password. An unknown name, an account without a
// password and a wrong password all return ErrNotFound after the same
// argon2id work, so a client cannot tell which names exist.
func (s *DB) Authenticate(ctx context.Context, name, password string) (User, error) {
	var h string
	u, err := scanUserHash(s.queryRow(ctx, s.db, "SELECT "+userColumns+", password_hash FROM users WHERE name = ?", name), &h)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return User{}, s.dbErr("reading user", err)
	}
	found := err == nil && h != ""
	if !found {
		h = dummyHash()
	}
	ok := verifyPassword(h, password) && len(password) <= MaxPasswordBytes
	if !found || !ok {
		return User{}, fmt.Errorf("%w: wrong user name or password", ErrNotFound)
	}
	return u, nil
}

func scanUserHash(row *sql.Row, h *string) (User, error) {
	var u User
	var role, at string
	if err := row.Scan(&u.ID, &u.Name, &role, &u.Lang, &at, h); err != nil {
		return User{}, err
	}
	u.Role = Role(role)
	t, err := parseTime(at)
	if err != nil {
		return User{}, err
	}
	u.CreatedAt = t
	return u, nil
}

// Users lists the accounts by id.
func (s *DB) Users(ctx context.Context) ([]User, error) {
	rows, err := s.query(ctx, s.db, "SELECT "+userColumns+" FROM users ORDER BY id")
	if err != nil {
		return nil, s.dbErr("listing users", err)
	}
	defer rows.Close()
	us := []User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, s.dbErr("listing users", err)
		}
		us = append(us, u)
	}
	return us, s.dbErr("listing users", rows.Err())
}

// UserByID finds an account, or ErrNotFound.
func (s *DB) UserByID(ctx context.Context, id int64) (User, error) {
	return s.oneUser(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", id)
}

// UserByName finds an account by name, or ErrNotFound.
func (s *DB) UserByName(ctx context.Context, name string) (User, error) {
	return s.oneUser(ctx, "SELECT "+userColumns+" FROM users WHERE name = ?", name)
}

func (s *DB) oneUser(ctx context.Context, query string, arg any) (User, error) {
	u, err := scanUser(s.queryRow(ctx, s.db, query, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("%w: user %v", ErrNotFound, arg)
	}
	if err != nil {
		return User{}, s.dbErr("reading user", err)
	}
	return u, nil
}

// CreateSession stores a new session for user, valid for ttl, and returns
// its token: 32 random bytes, base64url. Only the token's SHA-256 is
// stored.
func (s *DB) CreateSession(ctx context.Context, userID int64, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", fmt.Errorf("workspace: session lifetime %v is not positive", ttl)
	}
	if _, err := s.UserByID(ctx, userID); err != nil {
		return "", err
	}
	tok, h, err := newToken("")
	if err != nil {
		return "", err
	}
	t := now()
	if _, err := s.exec(ctx, s.db, "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
		h, userID, formatTime(t), formatTime(t.Add(ttl))); err != nil {
		return "", s.dbErr("creating a session", err)
	}
	// Forget expired sessions now and then (the times sort as text).
	_, _ = s.exec(ctx, s.db, "DELETE FROM sessions WHERE expires_at < ?", formatTime(t))
	return tok, nil
}

// Session resolves a session token to its user; an unknown or expired
// token returns ErrNotFound.
func (s *DB) Session(ctx context.Context, token string) (User, error) {
	if token == "" || len(token) > 200 {
		return User{}, fmt.Errorf("%w: session", ErrNotFound)
	}
	var exp string
	var u User
	var role, at string
	err := s.queryRow(ctx, s.db, "SELECT u.id, u.name, u.role, u.lang, u.created_at, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
		tokenHash(token)).Scan(&u.ID, &u.Name, &role, &u.Lang, &at, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("%w: session", ErrNotFound)
	}
	if err != nil {
		return User{}, s.dbErr("reading a session", err)
	}
	e, err := parseTime(exp)
	if err != nil {
		return User{}, err
	}
	if !now().Before(e) {
		_ = s.DeleteSession(ctx, token)
		return User{}, fmt.Errorf("%w: session expired", ErrNotFound)
	}
	u.Role = Role(role)
	if u.CreatedAt, err = parseTime(at); err != nil {
		return User{}, err
	}
	return u, nil
}

// DeleteSession logs out: the token stops working. Deleting an unknown
// token is not an error.
func (s *DB) DeleteSession(ctx context.Context, token string) error {
	_, err := s.exec(ctx, s.db, "DELETE FROM sessions WHERE token_hash = ?", tokenHash(token))
	return s.dbErr("deleting a session", err)
}

// CreateToken makes an API token for scripts: APITokenPrefix followed by
// 32 random bytes, base64url. It is returned once; only its SHA-256 is
// stored.
func (s *DB) CreateToken(ctx context.Context, userID int64, label string) (string, error) {
	if len(label) > 200 {
		return "", errors.New("workspace: token label longer than 200 bytes")
	}
	if _, err := s.UserByID(ctx, userID); err != nil {
		return "", err
	}
	tok, h, err := newToken(APITokenPrefix)
	if err != nil {
		return "", err
	}
	if _, err := s.exec(ctx, s.db, "INSERT INTO api_tokens (token_hash, user_id, label, created_at) VALUES (?, ?, ?, ?)",
		h, userID, label, formatTime(now())); err != nil {
		return "", s.dbErr("creating an API token", err)
	}
	return tok, nil
}

// TokenUser resolves an API token to its user, or ErrNotFound.
func (s *DB) TokenUser(ctx context.Context, token string) (User, error) {
	if !strings.HasPrefix(token, APITokenPrefix) || len(token) > 200 {
		return User{}, fmt.Errorf("%w: API token", ErrNotFound)
	}
	u, err := scanUser(s.queryRow(ctx, s.db, "SELECT u.id, u.name, u.role, u.lang, u.created_at FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?",
		tokenHash(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("%w: API token", ErrNotFound)
	}
	if err != nil {
		return User{}, s.dbErr("reading an API token", err)
	}
	return u, nil
}
