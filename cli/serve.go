package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/lifecycle"
	"github.com/kaiwu-ai/kaiwu/web"
	"github.com/kaiwu-ai/kaiwu/workspace"
)

// This file holds `kaiwu serve`: open the workspace, optionally seed the
// demo, and serve the dashboard and API (package web) until SIGINT or
// SIGTERM.

func init() {
	addMessages(map[string][2]string{
		"short.serve": {"Serve the dashboard and the JSON API over the workspace (127.0.0.1:8080 by default)",
			"启动仪表盘与 JSON API 服务（默认 127.0.0.1:8080）"},
	})
}

// serveConfig are the flags of kaiwu serve.
type serveConfig struct {
	Addr, Workspace, Database string
	Demo, SecureCookies       bool
	// ready, when set, is told the listening address (tests use :0).
	ready func(addr string)
}

func newServeCommand(o *Options) *cobra.Command {
	var cfg serveConfig
	cmd := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:8080] [--workspace PATH | --database DSN] [--demo]",
		Short: T(o.Lang, "short.serve"),
		Long: `Serve the dashboard and the JSON API (OpenAPI document at /api/openapi.json).

The server listens on 127.0.0.1 unless --addr says otherwise. On first run,
when the workspace has no account, it prints a setup token: open the URL,
enter the token and create the owner. --demo seeds a fictional company
(into a temporary workspace unless --workspace is given).`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if cfg.Workspace != "" && cfg.Database != "" {
				return fmt.Errorf("--workspace and --database exclude each other")
			}
			parent := c.Context()
			if parent == nil {
				parent = context.Background()
			}
			ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runServe(ctx, o, cfg)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "address to listen on (a non-loopback address exposes the server: use TLS in front)")
	f.StringVar(&cfg.Workspace, "workspace", "", "SQLite workspace file (default: the user data directory's kaiwu/workspace.db)")
	f.StringVar(&cfg.Database, "database", "", "PostgreSQL DSN (postgres://user:pass@host/db) instead of a SQLite file")
	f.BoolVar(&cfg.Demo, "demo", false, "seed the demo company (a temporary workspace unless --workspace is given)")
	f.BoolVar(&cfg.SecureCookies, "secure-cookies", false, "mark cookies Secure (behind a TLS-terminating proxy)")
	return cmd
}

// isLoopback reports whether a listen address stays on this machine.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// runServe opens the workspace and serves until ctx is done, then shuts
// down gracefully (in-flight requests get 10 seconds).
func runServe(ctx context.Context, o *Options, cfg serveConfig) error {
	dsn := cfg.Database
	if dsn == "" {
		dsn = cfg.Workspace
	}
	if cfg.Demo && dsn == "" {
		dir, err := os.MkdirTemp("", "kaiwu-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dsn = filepath.Join(dir, "workspace.db")
	}
	st, err := workspace.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	if cfg.Demo {
		if err := workspace.SeedDemo(ctx, st, "demo"); err != nil {
			return err
		}
	}
	users, err := st.Users(ctx)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(o.Err(), nil))
	// Training runs: this process trains the ones started here, under a
	// random instance id, and records a heartbeat on them while they are
	// live. Recover marks interrupted only the live runs whose heartbeat
	// is stale (their server is gone), now and at every heartbeat, so
	// several servers may share one PostgreSQL database. On shutdown
	// this process cancels what it still trains (recorded as canceled).
	runs := lifecycle.NewManager(st, lifecycle.Options{Logger: logger})
	if _, err := runs.Recover(ctx); err != nil {
		return err
	}
	defer runs.Close()
	opts := web.Options{Logger: logger, SecureCookies: cfg.SecureCookies, Runs: runs}
	if len(users) == 0 {
		opts.SetupToken = web.NewSetupToken()
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("--addr %s: %w", cfg.Addr, err)
	}
	addr := ln.Addr().String()
	if !isLoopback(addr) {
		fmt.Fprintf(o.Err(), "kaiwu: warning: listening on %s, not only this machine: anyone who reaches it sees the login page. "+
			"Put TLS in front (a reverse proxy) and pass --secure-cookies.\n", addr)
	}
	fmt.Fprintf(o.Out(), "kaiwu: serving http://%s/\n", addr)
	if opts.SetupToken != "" {
		fmt.Fprintf(o.Out(), "kaiwu: first run: open http://%s/setup and enter the setup token %s to create the owner\n", addr, opts.SetupToken)
	}
	srv := &http.Server{Handler: web.New(st, opts), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if cfg.ready != nil {
		cfg.ready(addr)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(o.Err(), "kaiwu: shutting down")
	// Cancel live runs first: their event streams then end, and
	// Shutdown need not wait for them.
	runs.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
