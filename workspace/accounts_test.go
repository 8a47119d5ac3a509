package workspace

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestAccounts(t *testing.T) {
	each(t, func(t *testing.T, s *DB, _ string) {
		ctx := context.Background()
		owner, err := s.CreateUser(ctx, "founder", "s3cret pass", RoleOwner)
		if err != nil {
			t.Fatal(err)
		}
		if owner.ID == 0 || owner.Role != RoleOwner || owner.Lang != DefaultLang {
			t.Fatalf("created %+v", owner)
		}
		for _, tc := range []struct {
			name, pw string
			role     Role
			want     error
			msg      string
		}{
			{"founder", "x", RoleEditor, ErrExists, ""},
			{"empty-pw", "", RoleEditor, nil, "empty"},
			{"bad role", "x", "admin", nil, "role"},
			{"Bad Name", "x", RoleViewer, nil, "character"},
			{"long-pw", strings.Repeat("x", MaxPasswordBytes+1), RoleViewer, nil, "longer"},
		} {
			_, err := s.CreateUser(ctx, tc.name, tc.pw, tc.role)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("CreateUser(%q): %v", tc.name, err)
			}
		}
		if u, err := s.Authenticate(ctx, "founder", "s3cret pass"); err != nil || u.ID != owner.ID {
			t.Fatalf("Authenticate: %+v, %v", u, err)
		}
		for _, tc := range [][2]string{{"founder", "wrong"}, {"nobody", "s3cret pass"}, {"founder", ""}} {
			if _, err := s.Authenticate(ctx, tc[0], tc[1]); !errors.Is(err, ErrNotFound) {
				t.Errorf("Authenticate(%q, %q): %v, want ErrNotFound", tc[0], tc[1], err)
			}
		}
		// An unknown user and a wrong password give the same message.
		_, e1 := s.Authenticate(ctx, "nobody", "x")
		_, e2 := s.Authenticate(ctx, "founder", "x")
		if e1.Error() != e2.Error() {
			t.Errorf("errors differ: %q vs %q", e1, e2)
		}
		if err := s.SetUserLang(ctx, owner.ID, "en"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetUserLang(ctx, owner.ID, "fr"); err == nil {
			t.Error("SetUserLang(fr) accepted")
		}
		if err := s.SetUserLang(ctx, 9999, "en"); !errors.Is(err, ErrNotFound) {
			t.Errorf("SetUserLang(unknown): %v", err)
		}
		if u, _ := s.UserByID(ctx, owner.ID); u.Lang != "en" {
			t.Errorf("lang not stored: %+v", u)
		}
		if _, err := s.UserByID(ctx, 9999); !errors.Is(err, ErrNotFound) {
			t.Errorf("UserByID(unknown): %v", err)
		}
		viewer, _ := s.CreateUser(ctx, "investor", "pw", RoleViewer)
		if err := s.SetUserRole(ctx, viewer.ID, RoleEditor); err != nil {
			t.Fatal(err)
		}
		if us, _ := s.Users(ctx); len(us) != 2 || us[0].Name != "founder" || us[1].Role != RoleEditor {
			t.Fatalf("Users: %+v", us)
		}

		// Sessions: opaque, hashed at rest, expiring, revocable.
		tok, err := s.CreateSession(ctx, owner.ID, time.Hour)
		if err != nil || len(tok) < 40 {
			t.Fatalf("CreateSession: %q, %v", tok, err)
		}
		var stored string
		if err := s.queryRow(ctx, s.db, "SELECT token_hash FROM sessions").Scan(&stored); err != nil || stored == tok || stored != tokenHash(tok) {
			t.Fatalf("the session table holds %q (err %v), want the token's SHA-256", stored, err)
		}
		if u, err := s.Session(ctx, tok); err != nil || u.ID != owner.ID {
			t.Fatalf("Session: %+v, %v", u, err)
		}
		for _, bad := range []string{"", tok + "x", "nope"} {
			if _, err := s.Session(ctx, bad); !errors.Is(err, ErrNotFound) {
				t.Errorf("Session(%q): %v", bad, err)
			}
		}
		short, _ := s.CreateSession(ctx, owner.ID, time.Minute)
		restore := now
		now = func() time.Time { return restore().Add(2 * time.Minute) }
		_, errExpired := s.Session(ctx, short)
		_, errLive := s.Session(ctx, tok)
		now = restore
		if !errors.Is(errExpired, ErrNotFound) || errLive != nil {
			t.Fatalf("expired session: %v; live session: %v", errExpired, errLive)
		}
		if err := s.DeleteSession(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Session(ctx, tok); !errors.Is(err, ErrNotFound) {
			t.Fatalf("session after logout: %v", err)
		}
		again, _ := s.CreateSession(ctx, owner.ID, time.Hour)
		if err := s.SetPassword(ctx, owner.ID, "rotated"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Session(ctx, again); !errors.Is(err, ErrNotFound) {
			t.Fatalf("a session survived a password change: %v", err)
		}
		if _, err := s.CreateSession(ctx, 9999, time.Hour); !errors.Is(err, ErrNotFound) {
			t.Errorf("session for an unknown user: %v", err)
		}

		// API tokens.
		api, err := s.CreateToken(ctx, viewer.ID, "ci script")
		if err != nil || !strings.HasPrefix(api, APITokenPrefix) {
			t.Fatalf("CreateToken: %q, %v", api, err)
		}
		if u, err := s.TokenUser(ctx, api); err != nil || u.ID != viewer.ID {
			t.Fatalf("TokenUser: %+v, %v", u, err)
		}
		if _, err := s.TokenUser(ctx, api[:len(api)-1]); !errors.Is(err, ErrNotFound) {
			t.Errorf("TokenUser(truncated): %v", err)
		}
		if _, err := s.TokenUser(ctx, tok); !errors.Is(err, ErrNotFound) {
			t.Errorf("a session token worked as an API token: %v", err)
		}
	})
}

func TestPasswordHashFormat(t *testing.T) {
	saved := argonParams
	argonParams.memory, argonParams.time = 19*1024, 2 // the production parameters
	defer func() { argonParams = saved }()
	h, err := hashPassword("pw")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", h)
	}
	h2, _ := hashPassword("pw")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no per-user salt")
	}
	if !verifyPassword(h, "pw") || verifyPassword(h, "pW") || verifyPassword("garbage", "pw") || verifyPassword("", "") {
		t.Fatal("verifyPassword")
	}
	// A hash made with other parameters still verifies (they travel with it).
	argonParams = saved
	old, _ := hashPassword("pw")
	if !verifyPassword(old, "pw") {
		t.Fatal("a hash with other parameters does not verify")
	}
}
