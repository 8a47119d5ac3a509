package cli

import (
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
)

// Version is set at build time with -ldflags "-X github.com/kaiwu-ai/kaiwu/cli.Version=v1.2.3".
var Version = "dev"

// VersionInfo is the stable JSON shape of `kaiwu version --json`.
type VersionInfo struct {
	Version  string `json:"version"`
	Commit   string `json:"commit"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
	GEMMPath string `json:"gemm_path"`
	Threads  int    `json:"threads"`
}

func buildInfo() VersionInfo {
	v := VersionInfo{
		Version:  Version,
		Commit:   "unknown",
		Go:       runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH,
		GEMMPath: kernels.ActivePath().String(),
		Threads:  kernels.Threads(),
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v.Commit = s.Value[:12]
			}
		}
	}
	return v
}

func newVersionCommand(o *Options) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: T(o.Lang, "short.version"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			v := buildInfo()
			t := Table{Header: []string{"", ""}, Rows: [][]string{
				{o.T("version"), v.Version},
				{o.T("commit"), v.Commit},
				{o.T("go"), v.Go},
				{o.T("platform"), v.Platform},
				{o.T("gemm.path"), v.GEMMPath},
				{o.T("threads"), itoa(v.Threads)},
			}}
			t.Header = nil
			return o.render(v, t)
		},
	}
}
