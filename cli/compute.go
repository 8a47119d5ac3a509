package cli

import "github.com/spf13/cobra"

// computeCommands builds the `kaiwu compute` subcommands. Each topic's file
// (compute_<topic>.go) registers its constructor in an init function, as
// the finance topics do.
var computeCommands []func(o *Options) *cobra.Command

func newComputeCommand(o *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "compute",
		Short: T(o.Lang, "short.compute"),
	}
	for _, f := range computeCommands {
		cmd.AddCommand(f(o))
	}
	return cmd
}
