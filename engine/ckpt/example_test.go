package ckpt_test

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kaiwu-ai/kaiwu/engine/ckpt"
)

// Build a model from a YAML spec, save it as a checkpoint and open it
// again without the code that built it.
func Example() {
	spec, err := ckpt.ParseSpec([]byte(`
type: sequential
seed: 1
layers:
  - {type: linear, in: 4, out: 8}
  - {type: relu}
  - {type: linear, in: 8, out: 3}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	model, _ := ckpt.Build(spec)
	dir, _ := os.MkdirTemp("", "ckpt")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")
	if err := ckpt.Save(path, model, ckpt.SaveOptions{Spec: spec}); err != nil {
		fmt.Println(err)
		return
	}
	c, err := ckpt.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range c.Model.Parameters() {
		fmt.Println(p.Name, p.Tensor.Shape())
	}
	// Output:
	// 0.weight [8 4]
	// 0.bias [8]
	// 2.weight [3 8]
	// 2.bias [3]
}

// Malformed input is an error that names the problem and where it lies.
func ExampleDecode() {
	header := `{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}`
	file := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	file = append(file, header...)
	file = append(file, make([]byte, 12)...)
	_, err := ckpt.Decode(file)
	fmt.Println(err)
	// Output: ckpt: safetensors: tensor "w": shape [2 2] of F32 needs 16 bytes, data_offsets [0, 12] give 12 (at byte 9)
}
