package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/kaiwu-ai/kaiwu/workspace"
)

// This file holds `kaiwu workspace …` (the stored documents, their
// history, export/import, the demo) and `kaiwu user …` (accounts). Both
// take --workspace PATH (a SQLite file) or --database DSN (postgres://…);
// with neither, the workspace is the SQLite file at workspace.DefaultPath.
//
// The root command registers them with newWorkspaceCommand and
// newUserCommand.

func init() {
	addMessages(workspaceMessages)
}

// workspaceMessages are this file's user-visible labels, merged into
// messages at init.
var workspaceMessages = map[string][2]string{
	"short.workspace":            {"The company's stored documents: list, get, put, history, export, import, demo", "公司工作区文档：列出、读取、写入、历史、导出、导入、演示数据"},
	"short.workspace.init":       {"Create the workspace (or bring its schema up to date) and say where it is", "创建工作区（或升级其数据结构）并显示其位置"},
	"short.workspace.ls":         {"List the documents, of one kind or all", "列出文档（某一类或全部）"},
	"short.workspace.share":      {"Show or set what viewers (investors) may see: share KIND on|off", "查看或设置只读用户（投资人）可见内容：share 类别 on|off"},
	"ws.shared":                  {"shared with viewers", "对只读用户共享"},
	"short.workspace.get":        {"Print a document's YAML body", "输出文档的 YAML 正文"},
	"short.workspace.put":        {"Validate a YAML document and store it as the next version", "校验 YAML 文档并保存为新版本"},
	"short.workspace.rm":         {"Delete a document (its history stays in the audit log)", "删除文档（历史保留在审计日志中）"},
	"short.workspace.history":    {"The audit log: who changed what, when", "审计日志：谁在何时修改了什么"},
	"short.workspace.export":     {"Write the whole workspace as one YAML or JSON file", "将整个工作区导出为一个 YAML 或 JSON 文件"},
	"short.workspace.import":     {"Read an export into an empty workspace", "将导出文件导入空工作区"},
	"short.workspace.import-ocf": {"Import an Open Cap Table Format package as the company document", "将 OCF 开放股权表格式包导入为公司文档"},
	"short.workspace.seed-demo":  {"Fill the workspace with the fictional demo company (衡星智能)", "写入虚构的演示公司（衡星智能）"},
	"short.user":                 {"Accounts of the dashboard and API: add, list, passwords, API tokens", "仪表盘与 API 账户：添加、列出、密码、API 令牌"},
	"short.user.add":             {"Add an account (password from standard input or a prompt)", "添加账户（密码来自标准输入或提示输入）"},
	"short.user.ls":              {"List the accounts", "列出账户"},
	"short.user.passwd":          {"Set an account's password", "设置账户密码"},
	"short.user.token":           {"Create an API token for scripts (shown once)", "为脚本创建 API 令牌（仅显示一次）"},

	"ws.flag.workspace": {"workspace SQLite file (default: the user data directory)", "工作区 SQLite 文件（默认：用户数据目录）"},
	"ws.flag.database":  {"database DSN, e.g. postgres://user:pass@host/db (instead of --workspace)", "数据库连接串，如 postgres://user:pass@host/db（代替 --workspace）"},
	"ws.flag.actor":     {"who the audit log records (default: cli:$USER)", "审计日志记录的操作者（默认：cli:$USER）"},
	"ws.flag.file":      {"document file (YAML; - for standard input)", "文档文件（YAML；- 表示标准输入）"},
	"ws.flag.version":   {"the version you edited (optimistic locking); default: the current one", "所编辑的版本（乐观锁）；默认：当前版本"},
	"ws.flag.limit":     {"at most this many entries (0: all)", "最多显示条数（0：全部）"},
	"ws.flag.output":    {"output file (default: standard output)", "输出文件（默认：标准输出）"},
	"ws.flag.diff":      {"show the bodies before and after", "显示修改前后的正文"},
	"ws.flag.name":      {"document name", "文档名称"},
	"ws.flag.role":      {"role: owner, editor or viewer", "角色：owner、editor 或 viewer"},
	"ws.flag.label":     {"what the token is for", "令牌用途"},

	"ws.where":      {"workspace", "工作区"},
	"ws.engine":     {"engine", "数据库"},
	"ws.schema":     {"schema version", "数据结构版本"},
	"ws.documents":  {"documents", "文档数"},
	"ws.kind":       {"kind", "类型"},
	"ws.name":       {"name", "名称"},
	"ws.version":    {"version", "版本"},
	"ws.updated":    {"updated", "更新时间"},
	"ws.by":         {"by", "操作者"},
	"ws.at":         {"time", "时间"},
	"ws.action":     {"action", "操作"},
	"ws.before":     {"before", "修改前"},
	"ws.after":      {"after", "修改后"},
	"ws.saved":      {"saved", "已保存"},
	"ws.deleted":    {"deleted", "已删除"},
	"ws.seeded":     {"demo company written (existing documents left alone)", "已写入演示公司（已有文档保持不变）"},
	"ws.imported":   {"imported", "已导入"},
	"ws.warning":    {"warning", "警告"},
	"ws.conflict":   {"stored now", "当前存储版本"},
	"user.id":       {"id", "编号"},
	"user.name":     {"name", "用户名"},
	"user.role":     {"role", "角色"},
	"user.lang":     {"language", "语言"},
	"user.created":  {"created", "创建时间"},
	"user.added":    {"account added", "已添加账户"},
	"user.password": {"Password for %s: ", "%s 的密码："},
	"user.again":    {"Again: ", "再次输入："},
	"user.pw_set":   {"password set", "密码已设置"},
	"user.token":    {"API token (shown once; keep it secret):", "API 令牌（仅显示一次，请妥善保管）："},
}

// wsFlags are the flags every workspace and user command shares.
type wsFlags struct {
	path, dsn, actor string
}

func (f *wsFlags) add(o *Options, cmd *cobra.Command) {
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.path, "workspace", "", o.T("ws.flag.workspace"))
	pf.StringVar(&f.dsn, "database", "", o.T("ws.flag.database"))
	pf.StringVar(&f.actor, "actor", "", o.T("ws.flag.actor"))
}

// open opens the workspace the flags name.
func (f *wsFlags) open(ctx context.Context) (*workspace.DB, error) {
	if f.path != "" && f.dsn != "" {
		return nil, errors.New("--workspace and --database: give one, not both")
	}
	dsn := f.path
	if f.dsn != "" {
		dsn = f.dsn
		if !workspace.IsPostgres(dsn) {
			return nil, fmt.Errorf("--database %q: want postgres://… (use --workspace for a SQLite file)", dsn)
		}
	}
	return workspace.OpenDB(ctx, dsn)
}

// who is the actor recorded in the audit log.
func (f *wsFlags) who() string {
	if f.actor != "" {
		return f.actor
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli"
}

// withWorkspace opens the workspace, runs f, and closes it.
func (f *wsFlags) with(c *cobra.Command, run func(ctx context.Context, ws *workspace.DB) error) error {
	ctx := c.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	ws, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer ws.Close()
	return run(ctx, ws)
}

func fmtTime(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05") }

// maxExportBytes bounds a workspace export read by import.
const maxExportBytes = 512 << 20

func readAllLimited(r io.Reader, limit int64, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: larger than %d MiB", what, limit>>20)
	}
	return b, nil
}

// readInput reads a file, or standard input for "-".
func readInput(c *cobra.Command, path string, limit int64) ([]byte, error) {
	if path == "" {
		return nil, errors.New("no input file: pass -f FILE (or - for standard input)")
	}
	if path == "-" {
		return readAllLimited(c.InOrStdin(), limit, "standard input")
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return readAllLimited(fh, limit, path)
}

func newWorkspaceCommand(o *Options) *cobra.Command {
	f := &wsFlags{}
	cmd := &cobra.Command{Use: "workspace", Aliases: []string{"ws"}, Short: o.T("short.workspace")}
	f.add(o, cmd)
	cmd.AddCommand(wsInit(o, f), wsLs(o, f), wsGet(o, f), wsPut(o, f), wsRm(o, f), wsHistory(o, f),
		wsExport(o, f), wsImport(o, f), wsImportOCF(o, f), wsSeedDemo(o, f), wsShare(o, f))
	return cmd
}

// wsInfo is the --json output of init and seed-demo.
type wsInfo struct {
	Where     string `json:"workspace"`
	Engine    string `json:"engine"`
	Schema    int    `json:"schema_version"`
	Documents int    `json:"documents"`
}

func workspaceInfo(o *Options, ctx context.Context, ws *workspace.DB) error {
	v, err := ws.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	docs, err := ws.List(ctx, "")
	if err != nil {
		return err
	}
	info := wsInfo{Where: ws.Where(), Engine: ws.Dialect(), Schema: v, Documents: len(docs)}
	return o.render(info, Table{Rows: [][]string{
		{o.T("ws.where"), info.Where}, {o.T("ws.engine"), info.Engine},
		{o.T("ws.schema"), strconv.Itoa(info.Schema)}, {o.T("ws.documents"), strconv.Itoa(info.Documents)}}})
}

func wsInit(o *Options, f *wsFlags) *cobra.Command {
	return &cobra.Command{Use: "init", Short: o.T("short.workspace.init"), Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return f.with(c, func(ctx context.Context, ws *workspace.DB) error { return workspaceInfo(o, ctx, ws) })
		}}
}

func wsSeedDemo(o *Options, f *wsFlags) *cobra.Command {
	return &cobra.Command{Use: "seed-demo", Short: o.T("short.workspace.seed-demo"), Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return f.with(c, func(ctx context.Context, ws *workspace.DB) error {
				if err := workspace.SeedDemo(ctx, ws, f.who()); err != nil {
					return err
				}
				if !o.JSON {
					fmt.Fprintln(o.Err(), o.T("ws.seeded"))
				}
				return workspaceInfo(o, ctx, ws)
			})
		}}
}

func docTable(o *Options, docs []workspace.Document) Table {
	t := Table{Header: []string{o.T("ws.kind"), o.T("ws.name"), o.T("ws.version"), o.T("ws.updated"), o.T("ws.by")},
		Right: map[int]bool{2: true}}
	for _, d := range docs {
		t.Rows = append(t.Rows, []string{string(d.Kind), d.Name, strconv.FormatInt(d.Version, 10), fmtTime(d.UpdatedAt), d.UpdatedBy})
	}
	return t
}

// parseKindArg reads an optional kind argument.
func parseKindArg(args []string) (workspace.Kind, error) {
	if len(args) == 0 {
		return "", nil
	}
	return workspace.ParseKind(args[0])
}

func wsLs(o *Options, f *wsFlags) *cobra.Command {
	return &cobra.Command{Use: "ls [KIND]", Short: o.T("short.workspace.ls"), Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			kind, err := parseKindArg(args)
			if err != nil {
				return err
			}
			return f.with(c, func(ctx context.Context, ws *workspace.DB) error {
				docs, err := ws.List(ctx, kind)
				if err != nil {
					return err
				}
				if o.JSON { // the listing without bodies
					for i := range docs {
						docs[i].Body = ""
					}
				}
				return o.render(docs, docTable(o, docs))
			})
		}}
}

func wsGet(o *Options, f *wsFlags) *cobra.Command {
	return &cobra.Command{Use: "get KIND NAME", Short: o.T("short.workspace.get"), Args: cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			kind, err := workspace.ParseKind(args[0])
			if err != nil {
				return err
			}
			return f.with(c, func(ctx context.Context, ws *workspace.DB) error {
				d, err := ws.Get(ctx, kind, args[1])
				if err != nil {
					return err
				}
				if o.JSON {
					return writeJSON(o.Out(), d)
				}
				_, err = io.WriteString(o.Out(), d.Body)
				return err
			})
		}}
}

func wsPut(o *Options, f *wsFlags) *cobra.Command {
	var file string
	var version int64
	cmd := &cobra.Command{Use: "put KIND NAME -f FILE [--version N]", Short: o.T("short.workspace.put"), Args: cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			kind, err := workspace.ParseKind(args[0])
			if err != nil {
				return err
			}
			body, err := readInput(c, file, workspace.MaxBodyBytes)
			if err != nil {
				return err
			}
			return f.with(c, func(ctx context.Context, ws *workspace.DB) error {
				expect := version
				if !c.Flags().Changed("version") {
					cur, err := ws.Get(ctx, kind, args[1])
					switch {
					case err == nil:
						expect = cur.Version
					case errors.Is(err, workspace.ErrNotFound):
						expect = 0
					default:
						return err
					}
				}
				d, err := ws.Put(ctx, kind, args[1], string(body), expect, f.who())
				var ce *workspace.ConflictError
				if errors.As(err, &ce) {
					return fmt.Errorf("%w\n%s (%s, %s):\n%s", err, o.T("ws.conflict"), ce.Current.UpdatedBy, fmtTime(ce.Current.UpdatedAt), ce.Current.Body)
				}
				if err != nil {
					return err
				}
				d.Body = ""
				return o.render(d, Table{Rows: [][]string{{o.T("ws.saved"), fmt.Sprintf("%s/%s", d.Kind, d.Name)},
					{o.T("ws.version"), strconv.FormatInt(d.Version, 10)}}})
			})
		}}
	cmd.Flags().StringVarP(&file, "file", "f", "", o.T("ws.flag.file"))
	cmd.Flags().Int64Var(&version, "version", 0, o.T("ws.flag.version"))
	return cmd
}

func wsRm(o *Options, f *wsFlags) *cobra.Command {
	var version int64
	cmd := &cobra.Command{Use: "rm KIND NAME [--version N]", Short: o.T("short.workspace.rm"), Args: cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			kind, err := workspace.ParseKind(args[0])
			if err != nil {
				return err
			}
			return f.with(c, func(ctx context.Context, ws *workspace.DB) error {
				expect := version
				if !c.Flags().Changed("version") {
					cur, err := ws.Get(ctx, kind, args[1])
					if err != nil {
						return err
					}
					expect = cur.Version
				}
				if err := ws.Delete(ctx, kind, args[1], expect, f.who()); err != nil {
					return err
				}
				fmt.Fprintf(o.Err(), "%s %s/%s\n", o.T("ws.deleted"), kind, args[1])
				return nil
			})
		}}
	cmd.Flags().Int64Var(&version, "version", 0, o.T("ws.flag.version"))
	return cmd
}

func wsHistory(o *Options, f *wsFlags) *cobra.Command {
	var limit int
	var diff bool
	cmd := &cobra.Command{Use: "history [KIND [NAME]]", Short: o.T("short.workspace.history"), Args: cobra.MaximumNArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			kind, err := parseKindArg(args)
			if err != nil {
				return err
			}
			name := ""
			if len(args) == 2 {
				name = args[1]
			}
			return f.with(c, func(ctx context.Context, ws *workspace.DB) error {
				h, err := ws.History(ctx, kind, name, limit)
				if err != nil {
					return err
				}
				if o.JSON {
					return writeJSON(o.Out(), h)
				}
				t := Table{Header: []string{o.T("ws.at"), o.T("ws.by"), o.T("ws.action"), o.T("ws.kind"), o.T("ws.name"), o.T("ws.version")},
					Right: map[int]bool{5: true}}
				for _, e := range h {
					t.Rows = append(t.Rows, []string{fmtTime(e.At), e.Actor, e.Action, string(e.Kind), e.Name, strconv.FormatInt(e.Version, 10)})
				}
				if err := t.Write(o.Out()); err != nil {
					return err
				}
				if diff {
					for _, e := range h {
						fmt.Fprintf(o.Out(), "\n== %s/%s v%d %s (%s)\n-- %s\n%s-- %s\n%s", e.Kind, e.Name, e.Version, e.Action, e.Actor,
							o.T("ws.before"), e.Before, o.T("ws.after"), e.After)
					}
				}
				return nil
			})
		}}
	cmd.Flags().IntVar(&limit, "limit", 20, o.T("ws.flag.limit"))
	cmd.Flags().BoolVar(&diff, "diff", false, o.T("ws.flag.diff"))
	return cmd
}

func wsExport(o *Options, f *wsFlags) *cobra.Command {
	var out string
	cmd := &cobra.Command{Use: "export [-o FILE]", Short: o.T("short.workspace.export"), Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			asJSON := o.JSON || (out != "" && isJSONPath(out))
			return f.with(c, func(ctx context.Context, ws *workspace.DB) error {
				b, err := ws.Export(ctx, asJSON)
				if err != nil {
					return err
				}
				if out == "" || out == "-" {
					_, err = o.Out().Write(b)
					return err
				}
				return writeExport(out, b)
			})
		}}
	cmd.Flags().StringVarP(&out, "output", "o", "", o.T("ws.flag.output"))
	return cmd
}

// writeExport writes an export to path, readable by its owner only,
// through a temporary file in the same folder renamed over path once
// complete, so that a failed export never leaves half a file where a
// good one was.
func writeExport(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("-o %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("-o %s: %w", path, err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("-o %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("-o %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("-o %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("-o %s: %w", path, err)
	}
	return nil
}

func wsImport(o *Options, f *wsFlags) *cobra.Command {
	return &cobra.Command{Use: "import FILE", Short: o.T("short.workspace.import"), Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			b, err := readInput(c, args[0], maxExportBytes)
			if err != nil {
				return err
			}
			return f.with(c, func(ctx context.Context, ws *workspace.DB) error {
				if err := ws.Import(ctx, b, isJSONPath(args[0]), f.who()); err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				if !o.JSON {
					fmt.Fprintln(o.Err(), o.T("ws.imported"), args[0])
				}
				return workspaceInfo(o, ctx, ws)
			})
		}}
}

func wsImportOCF(o *Options, f *wsFlags) *cobra.Command {
	var name string
	cmd := &cobra.Command{Use: "import-ocf PACKAGE [--name main]", Short: o.T("short.workspace.import-ocf"), Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			fsys, closer, err := openPackage(args[0])
			if err != nil {
				return err
			}
			defer closer.Close()
			if err := workspace.ValidName(name); err != nil {
				return fmt.Errorf("--name: %w", err)
			}
			return f.with(c, func(ctx context.Context, ws *workspace.DB) error {
				d, warns, err := workspace.ImportOCFAs(ctx, ws, fsys, name, f.who())
				if err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				for _, w := range warns {
					fmt.Fprintf(o.Err(), "%s: %v\n", o.T("ws.warning"), w)
				}
				d.Body = ""
				return o.render(d, Table{Rows: [][]string{{o.T("ws.imported"), fmt.Sprintf("%s/%s", d.Kind, d.Name)},
					{o.T("ws.version"), strconv.FormatInt(d.Version, 10)}}})
			})
		}}
	cmd.Flags().StringVar(&name, "name", workspace.CompanyDocument, o.T("ws.flag.name"))
	return cmd
}

func newUserCommand(o *Options) *cobra.Command {
	f := &wsFlags{}
	cmd := &cobra.Command{Use: "user", Short: o.T("short.user")}
	f.add(o, cmd)
	cmd.AddCommand(userAdd(o, f), userLs(o, f), userPasswd(o, f), userToken(o, f))
	return cmd
}

// readPassword prompts twice on a terminal, or reads the first line of
// standard input when it is a pipe (for scripts: echo pw | kaiwu user add).
// An empty password is refused.
func readPassword(o *Options, c *cobra.Command, name string) (string, error) {
	in := c.InOrStdin()
	if fh, ok := in.(*os.File); ok && term.IsTerminal(int(fh.Fd())) {
		fmt.Fprintf(o.Err(), o.T("user.password"), name)
		p1, err := term.ReadPassword(int(fh.Fd()))
		fmt.Fprintln(o.Err())
		if err != nil {
			return "", err
		}
		fmt.Fprint(o.Err(), o.T("user.again"))
		p2, err := term.ReadPassword(int(fh.Fd()))
		fmt.Fprintln(o.Err())
		if err != nil {
			return "", err
		}
		if string(p1) != string(p2) {
			return "", errors.New("the passwords differ")
		}
		if len(p1) == 0 {
			return "", errors.New("empty password refused")
		}
		return string(p1), nil
	}
	line, err := bufio.NewReader(io.LimitReader(in, workspace.MaxPasswordBytes+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("empty password refused: give it on standard input (e.g. from a password manager) or type it at the prompt")
	}
	return pw, nil
}

func userTable(o *Options, us []workspace.User) Table {
	t := Table{Header: []string{o.T("user.id"), o.T("user.name"), o.T("user.role"), o.T("user.lang"), o.T("user.created")},
		Right: map[int]bool{0: true}}
	for _, u := range us {
		t.Rows = append(t.Rows, []string{strconv.FormatInt(u.ID, 10), u.Name, string(u.Role), u.Lang, fmtTime(u.CreatedAt)})
	}
	return t
}

func userAdd(o *Options, f *wsFlags) *cobra.Command {
	var role string
	cmd := &cobra.Command{Use: "add NAME [--role owner|editor|viewer]", Short: o.T("short.user.add"), Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			r, err := workspace.ParseRole(role)
			if err != nil {
				return fmt.Errorf("--role: %w", err)
			}
			if err := workspace.ValidName(args[0]); err != nil {
				return err
			}
			return f.with(c, func(ctx context.Context, ws *workspace.DB) error {
				if _, err := ws.UserByName(ctx, args[0]); err == nil {
					return fmt.Errorf("%w: user %q", workspace.ErrExists, args[0])
				}
				pw, err := readPassword(o, c, args[0])
				if err != nil {
					return err
				}
				u, err := ws.CreateUser(ctx, args[0], pw, r)
				if err != nil {
					return err
				}
				if !o.JSON {
					fmt.Fprintln(o.Err(), o.T("user.added"))
				}
				return o.render(u, userTable(o, []workspace.User{u}))
			})
		}}
	cmd.Flags().StringVar(&role, "role", string(workspace.RoleEditor), o.T("ws.flag.role"))
	return cmd
}

func userLs(o *Options, f *wsFlags) *cobra.Command {
	return &cobra.Command{Use: "ls", Short: o.T("short.user.ls"), Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return f.with(c, func(ctx context.Context, ws *workspace.DB) error {
				us, err := ws.Users(ctx)
				if err != nil {
					return err
				}
				return o.render(us, userTable(o, us))
			})
		}}
}

func userPasswd(o *Options, f *wsFlags) *cobra.Command {
	return &cobra.Command{Use: "passwd NAME", Short: o.T("short.user.passwd"), Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return f.with(c, func(ctx context.Context, ws *workspace.DB) error {
				u, err := ws.UserByName(ctx, args[0])
				if err != nil {
					return err
				}
				pw, err := readPassword(o, c, u.Name)
				if err != nil {
					return err
				}
				if err := ws.SetPassword(ctx, u.ID, pw); err != nil {
					return err
				}
				fmt.Fprintln(o.Err(), o.T("user.pw_set"))
				return nil
			})
		}}
}

func userToken(o *Options, f *wsFlags) *cobra.Command {
	var label string
	cmd := &cobra.Command{Use: "token NAME [--label TEXT]", Short: o.T("short.user.token"), Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return f.with(c, func(ctx context.Context, ws *workspace.DB) error {
				u, err := ws.UserByName(ctx, args[0])
				if err != nil {
					return err
				}
				tok, err := ws.CreateToken(ctx, u.ID, label)
				if err != nil {
					return err
				}
				if o.JSON {
					return writeJSON(o.Out(), map[string]any{"user": u.Name, "role": u.Role, "label": label, "token": tok})
				}
				fmt.Fprintln(o.Err(), o.T("user.token"))
				_, err = fmt.Fprintln(o.Out(), tok)
				return err
			})
		}}
	cmd.Flags().StringVar(&label, "label", "", o.T("ws.flag.label"))
	return cmd
}

// shareRow is one kind of `workspace share --json`.
type shareRow struct {
	Kind   workspace.Kind `json:"kind"`
	Shared bool           `json:"shared"`
}

// wsShare lists (no arguments) or sets (KIND on|off) what viewers may
// read: each document kind, and "runs" (the training runs); a change is
// logged with the --as actor.
func wsShare(o *Options, f *wsFlags) *cobra.Command {
	return &cobra.Command{Use: "share [KIND on|off]", Short: o.T("short.workspace.share"),
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 0 && len(args) != 2 {
				return fmt.Errorf("want no arguments (list) or KIND on|off, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			var kind workspace.Kind
			var on bool
			if len(args) == 2 {
				var err error
				if kind, err = workspace.ParseShareable(args[0]); err != nil {
					return err
				}
				switch strings.ToLower(args[1]) {
				case "on", "yes", "true":
					on = true
				case "off", "no", "false":
				default:
					return fmt.Errorf("%q: want on or off", args[1])
				}
			}
			return f.with(c, func(ctx context.Context, ws *workspace.DB) error {
				if kind != "" {
					if err := ws.SetSharing(ctx, kind, on, f.who()); err != nil {
						return err
					}
				}
				m, err := ws.Sharing(ctx)
				if err != nil {
					return err
				}
				rows := []shareRow{}
				t := Table{Header: []string{o.T("ws.kind"), o.T("ws.shared")}}
				for _, k := range workspace.Shareable() {
					rows = append(rows, shareRow{k, m[k]})
					v := "off"
					if m[k] {
						v = "on"
					}
					t.Rows = append(t.Rows, []string{string(k), v})
				}
				return o.render(rows, t)
			})
		}}
}
