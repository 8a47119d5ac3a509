package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// financeCommands builds the `kaiwu finance` subcommands. Each topic's file
// (finance_<topic>.go) registers its constructor in an init function, so
// topics are added without editing this file.
var financeCommands []func(o *Options) *cobra.Command

func newFinanceCommand(o *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "finance",
		Short: T(o.Lang, "short.finance"),
	}
	for _, f := range financeCommands {
		cmd.AddCommand(f(o))
	}
	return cmd
}

// maxDocumentBytes bounds the documents commands read (cap tables, plans):
// larger input is rejected before it is parsed.
const maxDocumentBytes = 16 << 20

// readDocument reads a YAML or JSON document named by a -f flag ("-" is
// standard input), refusing oversized input with a message naming the file.
func readDocument(path string) ([]byte, error) {
	if path == "" {
		return nil, fmt.Errorf("no input file: pass -f FILE (YAML or JSON)")
	}
	var f *os.File
	if path == "-" {
		f = os.Stdin
	} else {
		var err error
		if f, err = os.Open(path); err != nil {
			return nil, err
		}
		defer f.Close()
	}
	// Read one byte past the limit to tell "exactly at the limit" from "over".
	buf, err := io.ReadAll(io.LimitReader(f, maxDocumentBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(buf) > maxDocumentBytes {
		return nil, fmt.Errorf("%s: larger than %d MiB; refusing to read it", path, maxDocumentBytes>>20)
	}
	return buf, nil
}

// isJSONPath tells JSON documents from YAML ones by extension.
func isJSONPath(path string) bool {
	return strings.EqualFold(filepath.Ext(path), ".json")
}
