package cli

import (
	"github.com/kaiwu-ai/kaiwu/compute/memory"
	"github.com/kaiwu-ai/kaiwu/compute/serve"
	"github.com/kaiwu-ai/kaiwu/compute/train"
)

func init() { addMessages(computeNoteMessages) }

// computeNoteMessages translate the compute domains' structured notes:
// key "note.memory.CODE" for compute/memory (layout warnings, the reasons
// for the cheapest layout), "note.train.CODE" for compute/train (run
// labels, model descriptions, the energy caveat, defaults' values and
// sources) and "note.serve.CODE" for compute/serve (defaults' sources).
// Each holds the domain's English template and its Chinese translation,
// with the same {placeholders}; TestNoteCatalogue checks every code has
// both.
var computeNoteMessages = map[string][2]string{
	"note.memory." + memory.NoteTPSpansNodes: {memory.Notes[memory.NoteTPSpansNodes],
		"tp {tp} 跨越多个节点（每节点 {per_node} 张 GPU）：跨网络的张量并行很慢"},
	"note.memory." + memory.NoteZeRONoDP: {memory.Notes[memory.NoteZeRONoDP],
		"ZeRO 在数据并行副本间切分；dp = 1 时毫无节省"},
	"note.memory." + memory.WhyFit: {memory.Notes[memory.WhyFit],
		"{gpus} 张 GPU 上的 {tried} 种布局中有 {fitting} 种能放进 {capacity}；此布局的预计减速最小（{slowdown}）"},
	"note.memory." + memory.WhyNoRecompute: {memory.Notes[memory.WhyNoRecompute],
		"不做重计算：全部激活都放得下"},
	"note.memory." + memory.WhySelective: {memory.Notes[memory.WhySelective],
		"选择性重计算：舍弃注意力分数的激活，约多 3% 计算量（Korthikanti 等，2022）"},
	"note.memory." + memory.WhyFull: {memory.Notes[memory.WhyFull],
		"完全重计算：只有这样才放得下，代价是多一次前向计算（约 33%）"},
	"note.memory." + memory.WhyTP: {memory.Notes[memory.WhyTP],
		"节点内张量并行 {tp}，并启用序列并行"},
	"note.memory." + memory.WhyPP: {memory.Notes[memory.WhyPP],
		"流水线并行 {pp}：仅靠张量并行放不下模型状态"},
	"note.memory." + memory.WhyZeRO: {memory.Notes[memory.WhyZeRO],
		"ZeRO-{stage}，跨 {dp} 个数据并行副本"},
	"note.memory." + memory.WhyPerGPU: {memory.Notes[memory.WhyPerGPU],
		"每卡：已用 {used}，共 {capacity}"},

	"note.train." + train.LabelArch: {train.Notes[train.LabelArch],
		"在 {gpus} 张 {gpu} 上训练 {model}"},
	"note.train." + train.LabelParams: {train.Notes[train.LabelParams],
		"在 {gpus} 张 {gpu} 上训练 {params} 参数模型"},
	"note.train." + train.LabelParamsActive: {train.Notes[train.LabelParamsActive],
		"在 {gpus} 张 {gpu} 上训练 {params} 参数模型（激活 {active}）"},
	"note.train." + train.LabelCustom: {train.Notes[train.LabelCustom],
		"在 {gpus} 张 {gpu} 上训练自定义架构"},
	"note.train." + train.ModelParams: {train.Notes[train.ModelParams],
		"{params} 参数"},
	"note.train." + train.ModelParamsActive: {train.Notes[train.ModelParamsActive],
		"{params} 参数（激活 {active}）"},
	"note.train." + train.ModelCustom: {train.Notes[train.ModelCustom],
		"自定义架构"},
	"note.train." + train.NoteEnergyExcludes: {train.Notes[train.NoteEnergyExcludes],
		"仅计 GPU 板卡功耗，全程按 TDP 计（GPU 能耗的上限），再乘以 PUE 计入制冷与供电损耗；不含主机 CPU、内存、网卡、交换机和存储（通常再占 GPU 服务器 IT 功耗的 30–50 %）、空闲与故障时间，以及硬件本身的隐含排放"},
	"note.train." + train.ValueTokens: {train.Notes[train.ValueTokens],
		"{tokens}（20 × 参数量）"},
	"note.train." + train.ValuePrice: {train.Notes[train.ValuePrice],
		"每 GPU 时 {price}"},
	"note.train." + train.SourceChinchilla: {train.Notes[train.SourceChinchilla],
		"算力最优：Hoffmann 等 2022，Chinchilla（arXiv:2203.15556）§3 / 表 3，每个参数约 20 个 token"},
	"note.train." + train.SourceArchSeq: {train.Notes[train.SourceArchSeq],
		"架构的上下文长度（上限 8192：长上下文通常只是较短的扩展训练阶段）"},
	"note.train." + train.SourceKaiwuDefault: {train.Notes[train.SourceKaiwuDefault],
		"kaiwu 默认值"},

	"note.serve." + serve.SourceMFU: {serve.Notes[serve.SourceMFU],
		"kaiwu 假设：预填充与训练一样是大规模 GEMM；已发表的训练 MFU 为 46.2%（PaLM 540B，Chowdhery 等 2022，表 3）和 38–43%（Llama 3 405B，Dubey 等 2024，表 4）"},
	"note.serve." + serve.SourceBandwidth: {serve.Notes[serve.SourceBandwidth],
		"kaiwu 假设：解码内核（GEMV/注意力）通常达到标称带宽的 70–90%；标称值实际达不到"},
	"note.serve." + serve.SourceReserve: {serve.Notes[serve.SourceReserve],
		"vLLM 引擎参数 --gpu-memory-utilization，默认 0.9（docs.vllm.ai，引擎参数）"},
	"note.serve." + serve.SourceUtilisation: {serve.Notes[serve.SourceUtilisation],
		"kaiwu 假设：交互式 API 的负载随昼夜起伏；付费卡时平均约一半时间在处理请求"},
	"note.serve." + serve.SourceBatches: {serve.Notes[serve.SourceBatches],
		"kaiwu 默认批大小表"},
	"note.serve." + serve.SourcePrecision: {serve.Notes[serve.SourcePrecision],
		"kaiwu 默认：权重与 KV 缓存均为 bf16，即开源模型的发布格式"},
}
