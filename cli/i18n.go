package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/kaiwu-ai/kaiwu/msg"
)

// Lang is a user-interface language.
type Lang string

// The supported languages.
const (
	LangEN Lang = "en"
	LangZH Lang = "zh"
)

// ParseLang turns a flag value ("zh", "zh_CN.UTF-8", "en", "en-US") into a Lang.
func ParseLang(s string) (Lang, error) {
	l := strings.ToLower(strings.TrimSpace(s))
	switch {
	case strings.HasPrefix(l, "zh"):
		return LangZH, nil
	case strings.HasPrefix(l, "en"), l == "c", l == "posix":
		return LangEN, nil
	}
	return "", fmt.Errorf("--lang: unknown language %q (want zh or en)", s)
}

// LangFromEnv picks the language from the POSIX locale variables, in the
// order the C library consults them; anything but Chinese means English.
func LangFromEnv(getenv func(string) string) Lang {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			if l, err := ParseLang(v); err == nil {
				return l
			}
			return LangEN
		}
	}
	return LangEN
}

// messages holds every user-visible string that is not data, in both
// languages. Keys are English identifiers; tests check both columns exist.
var messages = map[string][2]string{
	// key:              {English, 简体中文}
	"version":          {"version", "版本"},
	"commit":           {"commit", "提交"},
	"go":               {"go", "Go 版本"},
	"platform":         {"platform", "平台"},
	"gemm.path":        {"GEMM kernel", "GEMM 内核"},
	"threads":          {"threads", "线程数"},
	"op":               {"op", "运算"},
	"size":             {"size", "规模"},
	"batch":            {"batch", "批大小"},
	"gflops":           {"GFLOP/s", "GFLOP/s"},
	"ms":               {"ms", "毫秒"},
	"allocs":           {"allocs/step", "每步分配次数"},
	"epoch":            {"epoch", "轮次"},
	"loss":             {"loss", "损失"},
	"train.acc":        {"train accuracy", "训练准确率"},
	"test.acc":         {"test accuracy", "测试准确率"},
	"training":         {"training", "训练中"},
	"benchmarking":     {"benchmarking", "基准测试中"},
	"demo.mlp.title":   {"Two-spirals MLP", "双螺旋多层感知机"},
	"demo.mlp.dataset": {"dataset", "数据集"},
	"demo.mlp.model":   {"model", "模型"},
	"demo.mlp.params":  {"parameters", "参数量"},
	"demo.mlp.time":    {"time", "用时"},
	"demo.mlp.optim":   {"optimizer", "优化器"},
	"short.root":       {"kaiwu: build the model, build the company", "开物：造模型，建公司"},
	"short.version":    {"Print the version and build information", "显示版本与构建信息"},
	"short.demo":       {"Runnable demonstrations of the engine", "引擎演示"},
	"short.demo.mlp":   {"Train a small MLP on a generated two-spirals dataset", "在生成的双螺旋数据集上训练一个小型多层感知机"},
	"short.finance":    {"Financing: cap tables, rounds, exits, valuation, runway", "融资：股权表、融资轮、退出分配、估值、现金跑道"},
	"short.compute":    {"Compute economics of large models: FLOPs, GPU-hours, cost, memory, serving", "大模型算力经济：FLOPs、GPU 时、成本、显存、推理"},
	"short.bench":      {"Measure kernel and training speed on this machine", "在本机测量内核与训练速度"},
	"short.bench.gemm": {"SGEMM throughput (GFLOP/s) per matrix size", "各矩阵规模下的 SGEMM 吞吐量（GFLOP/s）"},
	"short.bench.mlp":  {"Time one training step of an MLP 784→512→512→10", "测量 784→512→512→10 多层感知机单步训练时间"},
}

// T returns the message for key in language l; an unknown key is returned
// as is so that a missing translation is visible rather than silent.
func T(l Lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if l == LangZH {
		return m[1]
	}
	return m[0]
}

func defaultLang() Lang { return LangFromEnv(os.Getenv) }

// addMessages adds a command file's messages to the catalogue. A key that
// is already there is a programming error (two files claiming one label),
// so it panics at start-up, where every test sees it.
func addMessages(m map[string][2]string) {
	for k, v := range m {
		if _, dup := messages[k]; dup {
			panic("cli: message key " + k + " is defined twice")
		}
		messages[k] = v
	}
}

// Note renders a domain note in the user's language from the catalogue
// entry prefix+code ("note.exit.", "note.memory.", …); a code the
// catalogue lacks falls back to the note's English text.
func (o *Options) Note(prefix string, n msg.Note) string {
	m, ok := messages[prefix+n.Code]
	if !ok {
		return n.Text
	}
	t := m[0]
	if o.Lang == LangZH && m[1] != "" {
		t = m[1]
	}
	return msg.Format(t, n.Args)
}
