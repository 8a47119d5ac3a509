package cli

import (
	"archive/zip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
	"github.com/kaiwu-ai/kaiwu/finance/ocf"
)

// This file holds `kaiwu finance ocf import|export`: Open Cap Table Format
// packages (a folder or an .ocf.zip) ↔ kaiwu company documents (YAML).

func init() {
	financeCommands = append(financeCommands, newOCFCommand)
	addMessages(ocfMessages)
}

// ocfMessages are this file's user-visible labels, merged into messages
// at init.
var ocfMessages = map[string][2]string{
	"short.ocf":        {"Open Cap Table Format (OCF): import and export cap tables", "开放股权表格式（OCF）：导入与导出股权表"},
	"short.ocf.import": {"Read an OCF package (folder or .ocf.zip) into a kaiwu company document", "将 OCF 包（文件夹或 .ocf.zip）读取为 kaiwu 公司文档"},
	"short.ocf.export": {"Write a kaiwu company document as an OCF package (folder or .ocf.zip)", "将 kaiwu 公司文档写为 OCF 包（文件夹或 .ocf.zip）"},
	"ocf.item":         {"item", "项目"},
	"ocf.count":        {"count", "数量"},
	"ocf.company":      {"company", "公司"},
	"ocf.currency":     {"currency", "币种"},
	"ocf.stakeholders": {"stakeholders", "股东与持有人"},
	"ocf.classes":      {"share classes", "股份类别"},
	"ocf.issuances":    {"stock issuances", "股份发行"},
	"ocf.pool":         {"option pool", "期权池"},
	"ocf.grants":       {"option grants", "期权授予"},
	"ocf.convertibles": {"convertibles (SAFEs, notes)", "可转换工具（SAFE、可转债）"},
	"ocf.files":        {"files written", "写入文件数"},
	"ocf.output":       {"written to", "写入位置"},
	"ocf.warnings":     {"warnings", "警告"},
	"ocf.warning":      {"warning", "警告"},
}

func newOCFCommand(o *Options) *cobra.Command {
	cmd := &cobra.Command{Use: "ocf", Short: T(o.Lang, "short.ocf")}
	cmd.AddCommand(newOCFImportCommand(o), newOCFExportCommand(o))
	return cmd
}

// ocfSummary is the --json output of both subcommands.
type ocfSummary struct {
	Company      string        `json:"company"`
	Currency     string        `json:"currency"`
	Output       string        `json:"output,omitempty"`
	Stakeholders int           `json:"stakeholders"`
	ShareClasses int           `json:"share_classes"`
	Issuances    int           `json:"issuances"`
	PoolSize     string        `json:"pool_size,omitempty"`
	Grants       int           `json:"grants"`
	Convertibles int           `json:"convertibles"`
	Files        []string      `json:"files,omitempty"`
	Warnings     []ocf.Warning `json:"warnings"`
}

func summarize(c *captable.Company, out string, warns []ocf.Warning) ocfSummary {
	s := ocfSummary{Company: c.Name, Currency: string(c.Currency), Output: out, Stakeholders: len(c.Stakeholders),
		ShareClasses: len(c.ShareClasses), Issuances: len(c.Issuances), Convertibles: len(c.Convertibles), Warnings: warns}
	if s.Warnings == nil {
		s.Warnings = []ocf.Warning{}
	}
	if p := c.OptionPlan; p != nil {
		s.PoolSize, s.Grants = p.PoolSize.String(), len(p.Grants)
	}
	return s
}

func (o *Options) renderOCF(s ocfSummary) error {
	t := Table{Header: []string{o.T("ocf.item"), o.T("ocf.count")}, Right: map[int]bool{1: true}}
	t.Rows = append(t.Rows,
		[]string{o.T("ocf.company"), s.Company},
		[]string{o.T("ocf.currency"), s.Currency},
		[]string{o.T("ocf.stakeholders"), fmt.Sprint(s.Stakeholders)},
		[]string{o.T("ocf.classes"), fmt.Sprint(s.ShareClasses)},
		[]string{o.T("ocf.issuances"), fmt.Sprint(s.Issuances)})
	if s.PoolSize != "" {
		t.Rows = append(t.Rows, []string{o.T("ocf.pool"), s.PoolSize}, []string{o.T("ocf.grants"), fmt.Sprint(s.Grants)})
	}
	t.Rows = append(t.Rows, []string{o.T("ocf.convertibles"), fmt.Sprint(s.Convertibles)})
	if len(s.Files) > 0 {
		t.Rows = append(t.Rows, []string{o.T("ocf.files"), fmt.Sprint(len(s.Files))})
	}
	if s.Output != "" {
		t.Rows = append(t.Rows, []string{o.T("ocf.output"), s.Output})
	}
	t.Rows = append(t.Rows, []string{o.T("ocf.warnings"), fmt.Sprint(len(s.Warnings))})
	if err := o.render(s, t); err != nil {
		return err
	}
	if !o.JSON {
		for _, w := range s.Warnings {
			fmt.Fprintf(o.Err(), "%s: %s\n", o.T("ocf.warning"), w)
		}
	}
	return nil
}

// maxZipBytes bounds the .ocf.zip archive itself; ocf.DefaultLimits bound
// what is inflated from it.
const maxZipBytes = 64 << 20

// openPackage opens a folder or a zip archive as an fs.FS.
func openPackage(path string) (fs.FS, io.Closer, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if st.IsDir() {
		return os.DirFS(path), io.NopCloser(nil), nil
	}
	if st.Size() > maxZipBytes {
		return nil, nil, fmt.Errorf("%s: larger than %d MiB; refusing to read it", path, maxZipBytes>>20)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: not a folder or a zip archive: %w", path, err)
	}
	if len(zr.File) > 4*ocf.DefaultLimits.MaxFiles {
		zr.Close()
		return nil, nil, fmt.Errorf("%s: %d entries, too many for an OCF package", path, len(zr.File))
	}
	return zr, zr, nil
}

func newOCFImportCommand(o *Options) *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "import PATH [-o company.yaml]",
		Short: T(o.Lang, "short.ocf.import"),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fsys, closer, err := openPackage(args[0])
			if err != nil {
				return err
			}
			defer closer.Close()
			company, warns, err := ocf.Import(fsys)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			doc, err := captable.Encode(company)
			if err != nil {
				return err
			}
			doc = append([]byte("# imported from the OCF package "+filepath.Base(args[0])+"\n"), doc...)
			if out == "" || out == "-" {
				// The document goes to standard output; the summary would
				// corrupt it, so warnings go to standard error.
				if _, err := o.Out().Write(doc); err != nil {
					return err
				}
				for _, w := range warns {
					fmt.Fprintf(o.Err(), "%s: %s\n", o.T("ocf.warning"), w)
				}
				return nil
			}
			if err := writeFileAtomic(out, doc); err != nil {
				return err
			}
			return o.renderOCF(summarize(company, out, warns))
		},
	}
	c.Flags().StringVarP(&out, "output", "o", "", "write the company document (YAML) to this file instead of standard output")
	return c
}

func newOCFExportCommand(o *Options) *cobra.Command {
	var file, out, asOf, country string
	c := &cobra.Command{
		Use:   "export -f company.yaml -o out.ocf.zip|out-dir",
		Short: T(o.Lang, "short.ocf.export"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("no output: pass -o out.ocf.zip (an archive) or -o out-dir (a folder)")
			}
			data, err := readDocument(file)
			if err != nil {
				return err
			}
			company, err := captable.Parse(data, isJSONPath(file))
			if err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			opt := ocf.ExportOptions{Country: country}
			if asOf != "" {
				if opt.AsOf, err = captable.ParseDate(asOf); err != nil {
					return fmt.Errorf("--as-of: %w", err)
				}
			}
			p, warns, err := ocf.Encode(company, opt)
			if err != nil {
				return err
			}
			if err := p.Write(out); err != nil {
				return err
			}
			s := summarize(company, out, warns)
			for _, f := range p.Files {
				s.Files = append(s.Files, f.Name)
			}
			return o.renderOCF(s)
		},
	}
	c.Flags().StringVarP(&file, "file", "f", "", "company document (YAML or JSON; - for standard input)")
	c.Flags().StringVarP(&out, "output", "o", "", "package to write: a path ending in .zip is an archive, anything else a folder")
	c.Flags().StringVar(&asOf, "as-of", "", "the package's as_of date, YYYY-MM-DD (default: the latest date in the document)")
	c.Flags().StringVar(&country, "country", "", "issuer's country of formation, ISO 3166-1 alpha-2 (default: CN for CNY, else US)")
	return c
}

// writeFileAtomic writes data to path through a temporary file and a
// rename, so a reader never sees half a document.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(f.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(f.Name(), path)
	}
	if werr != nil {
		os.Remove(f.Name())
		return fmt.Errorf("writing %s: %w", path, werr)
	}
	return nil
}
