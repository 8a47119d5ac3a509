package msg_test

import (
	"fmt"

	"github.com/kaiwu-ai/kaiwu/msg"
)

// A domain returns a Note with its code, arguments and English text; an
// edge translates it by code with its own catalogue.
func ExampleFormat() {
	english := msg.Catalogue{"safe-converts": "{safe} takes its conversion amount"}
	n := english.Make("safe-converts", "safe", "angel-2")
	chinese := map[string]string{"safe-converts": "{safe} 改取转换金额"}
	fmt.Println(n.Code, "|", n.Text, "|", msg.Format(chinese[n.Code], n.Args))
	// Output: safe-converts | angel-2 takes its conversion amount | angel-2 改取转换金额
}
