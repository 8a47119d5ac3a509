// Command kaiwu is the kaiwu (开物) workbench: see `kaiwu help`.
package main

import (
	"os"

	"github.com/kaiwu-ai/kaiwu/cli"
)

func main() { os.Exit(cli.Main()) }
