package safetensors_test

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/kaiwu-ai/kaiwu/engine/safetensors"
)

// Write two tensors and some metadata, then read them back.
func Example() {
	var buf bytes.Buffer
	err := safetensors.Encode(&buf, &safetensors.File{
		Tensors: []safetensors.Tensor{
			safetensors.F32Tensor("weight", []float32{1, 2, 3, 4, 5, 6}, 2, 3),
			safetensors.I64Tensor("step", []int64{7}),
		},
		Metadata: map[string]string{"format": "pt"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := safetensors.Decode(buf.Bytes())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range f.Tensors {
		v, _ := t.Float32s()
		fmt.Println(t.Name, t.DType, t.Shape, v)
	}
	fmt.Println(f.Metadata["format"], buf.Len()%8 == 0)
	// Output:
	// weight F32 [2 3] [1 2 3 4 5 6]
	// step I64 [] [7]
	// pt true
}

// Malformed input is a *FormatError that names the problem, the tensor
// and the byte offset in the file.
func ExampleDecode_error() {
	header := `{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}`
	file := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	file = append(file, header...)
	file = append(file, make([]byte, 12)...)
	_, err := safetensors.Decode(file)
	fmt.Println(err)
	// Output: safetensors: tensor "w": shape [2 2] of F32 needs 16 bytes, data_offsets [0, 12] give 12 (at byte 9)
}
