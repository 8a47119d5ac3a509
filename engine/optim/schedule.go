package optim

import (
	"fmt"
	"math"
)

// LRSetter is an optimizer whose learning rate can be read and changed
// between steps — what a learning-rate scheduler drives. SGD, Adam,
// RMSProp and Adagrad implement it.
type LRSetter interface {
	LearningRate() float32
	SetLearningRate(lr float32)
}

// MomentumSetter is an optimizer with a momentum that OneCycleLR cycles:
// SGD's and RMSProp's momentum, Adam's β1 (torch's 'momentum' or
// 'betas'[0]).
type MomentumSetter interface {
	MomentumValue() float32
	SetMomentum(m float32)
}

// LearningRate implements LRSetter.
func (o *SGD) LearningRate() float32 { return o.LR }

// SetLearningRate implements LRSetter.
func (o *SGD) SetLearningRate(lr float32) { o.LR = lr }

// MomentumValue implements MomentumSetter.
func (o *SGD) MomentumValue() float32 { return o.Momentum }

// SetMomentum implements MomentumSetter.
func (o *SGD) SetMomentum(m float32) { o.Momentum = m }

// LearningRate implements LRSetter.
func (o *Adam) LearningRate() float32 { return o.LR }

// SetLearningRate implements LRSetter.
func (o *Adam) SetLearningRate(lr float32) { o.LR = lr }

// MomentumValue implements MomentumSetter: Adam's β1.
func (o *Adam) MomentumValue() float32 { return o.Beta1 }

// SetMomentum implements MomentumSetter: it sets β1.
func (o *Adam) SetMomentum(m float32) { o.Beta1 = m }

// Schedule gives the learning rate for each step of a run: LR(0) is the
// rate of the first optimizer step, LR(t) the rate after t scheduler
// steps — the value torch's scheduler.get_last_lr() has after t calls of
// scheduler.step(). Schedules are pure functions of the step; a Scheduler
// applies one to an optimizer.
type Schedule interface {
	LR(step int) float64
}

// MomentumSchedule is a Schedule that also prescribes the optimizer's
// momentum (OneCycleLR with momentum cycling).
type MomentumSchedule interface {
	Schedule
	// Momentum returns the momentum for step; ok is false when the
	// schedule leaves momentum alone.
	Momentum(step int) (m float64, ok bool)
}

// Bounded is a Schedule defined for a fixed number of steps.
type Bounded interface {
	Schedule
	// MaxStep is the last step the schedule is defined for.
	MaxStep() int
}

// Scheduler drives an optimizer's learning rate (and momentum, for a
// MomentumSchedule) from a Schedule, like a torch.optim.lr_scheduler:
// NewScheduler sets step 0's rate, and each Step, called after the
// optimizer's Step, moves to the next.
type Scheduler struct {
	opt   LRSetter
	sched Schedule
	step  int
	last  float64
}

// NewScheduler applies s to opt and sets the learning rate of step 0. A
// MomentumSchedule that cycles momentum needs an optimizer with a momentum
// (MomentumSetter).
func NewScheduler(opt LRSetter, s Schedule) (*Scheduler, error) {
	if opt == nil || s == nil {
		return nil, fmt.Errorf("optim: scheduler: nil optimizer or schedule")
	}
	if cyclesMomentum(s) {
		if _, has := opt.(MomentumSetter); !has {
			return nil, fmt.Errorf("optim: scheduler: %T cycles momentum but the optimizer %T has none (switch momentum cycling off)", s, opt)
		}
	}
	sc := &Scheduler{opt: opt, sched: s}
	sc.apply()
	return sc, nil
}

// cyclesMomentum reports whether s (or any part of a Sequential) sets the
// momentum.
func cyclesMomentum(s Schedule) bool {
	if seq, ok := s.(*Sequential); ok {
		for _, p := range seq.scheds {
			if cyclesMomentum(p) {
				return true
			}
		}
		return false
	}
	if ms, ok := s.(MomentumSchedule); ok {
		_, cycles := ms.Momentum(0)
		return cycles
	}
	return false
}

func (s *Scheduler) apply() {
	s.last = s.sched.LR(s.step)
	s.opt.SetLearningRate(float32(s.last))
	if ms, ok := s.sched.(MomentumSchedule); ok {
		if m, ok := ms.Momentum(s.step); ok {
			if setter, has := s.opt.(MomentumSetter); has {
				setter.SetMomentum(float32(m))
			}
		}
	}
}

// Step advances to the next step and sets its learning rate. Stepping a
// Bounded schedule past its last step is an error (as torch's OneCycleLR).
func (s *Scheduler) Step() error {
	if b, ok := s.sched.(Bounded); ok && s.step+1 > b.MaxStep() {
		return fmt.Errorf("optim: scheduler: stepped %d times, the schedule has %d steps", s.step+1, b.MaxStep())
	}
	s.step++
	s.apply()
	return nil
}

// LastLR returns the learning rate last set (torch's get_last_lr).
func (s *Scheduler) LastLR() float64 { return s.last }

// StepCount returns the number of Step calls so far (torch's last_epoch).
func (s *Scheduler) StepCount() int { return s.step }

func checkBase(kind string, base float64) error {
	if !(base > 0) || math.IsInf(base, 0) {
		return fmt.Errorf("optim: %s: base learning rate %g must be positive and finite", kind, base)
	}
	return nil
}

// StepLR multiplies the learning rate by Gamma every StepSize steps
// (torch StepLR): base·γ^⌊t/StepSize⌋.
type StepLR struct {
	base, gamma float64
	size        int
}

// NewStepLR returns StepLR with base rate base, period stepSize > 0 and
// factor gamma > 0.
func NewStepLR(base float64, stepSize int, gamma float64) (*StepLR, error) {
	if err := checkBase("StepLR", base); err != nil {
		return nil, err
	}
	if stepSize <= 0 || !(gamma > 0) {
		return nil, fmt.Errorf("optim: StepLR: step size %d must be positive and gamma %g > 0", stepSize, gamma)
	}
	return &StepLR{base: base, gamma: gamma, size: stepSize}, nil
}

// LR implements Schedule.
func (s *StepLR) LR(step int) float64 { return s.base * math.Pow(s.gamma, float64(step/s.size)) }

// ExponentialLR multiplies the learning rate by Gamma every step (torch
// ExponentialLR): base·γ^t.
type ExponentialLR struct{ base, gamma float64 }

// NewExponentialLR returns ExponentialLR with base rate base and factor
// gamma > 0.
func NewExponentialLR(base, gamma float64) (*ExponentialLR, error) {
	if err := checkBase("ExponentialLR", base); err != nil {
		return nil, err
	}
	if !(gamma > 0) {
		return nil, fmt.Errorf("optim: ExponentialLR: gamma %g must be > 0", gamma)
	}
	return &ExponentialLR{base, gamma}, nil
}

// LR implements Schedule.
func (s *ExponentialLR) LR(step int) float64 { return s.base * math.Pow(s.gamma, float64(step)) }

// CosineAnnealingLR anneals from the base rate to etaMin over tMax steps
// along half a cosine (torch CosineAnnealingLR, SGDR without restarts):
// η_min + (base − η_min)·(1 + cos(π·t/T_max))/2. Past T_max it rises again
// (period 2·T_max), as torch's.
type CosineAnnealingLR struct {
	base, etaMin float64
	tMax         int
}

// NewCosineAnnealingLR returns CosineAnnealingLR; tMax > 0, 0 ≤ etaMin.
func NewCosineAnnealingLR(base float64, tMax int, etaMin float64) (*CosineAnnealingLR, error) {
	if err := checkBase("CosineAnnealingLR", base); err != nil {
		return nil, err
	}
	if tMax <= 0 || !(etaMin >= 0) {
		return nil, fmt.Errorf("optim: CosineAnnealingLR: T_max %d must be positive and eta_min %g >= 0", tMax, etaMin)
	}
	return &CosineAnnealingLR{base, etaMin, tMax}, nil
}

// LR implements Schedule.
func (s *CosineAnnealingLR) LR(step int) float64 {
	return s.etaMin + (s.base-s.etaMin)*(1+math.Cos(math.Pi*float64(step)/float64(s.tMax)))/2
}

// LinearLR scales the base rate by a factor that moves linearly from
// start to end over total steps, then stays at end (torch LinearLR): the
// usual linear warmup is start 1/N, end 1 (see NewLinearWarmup).
type LinearLR struct {
	base, start, end float64
	total            int
}

// NewLinearLR returns LinearLR; 0 < start ≤ 1, 0 ≤ end ≤ 1, total > 0
// (torch's limits).
func NewLinearLR(base, start, end float64, total int) (*LinearLR, error) {
	if err := checkBase("LinearLR", base); err != nil {
		return nil, err
	}
	if !(start > 0 && start <= 1) || !(end >= 0 && end <= 1) || total <= 0 {
		return nil, fmt.Errorf("optim: LinearLR: start factor %g must be in (0, 1], end factor %g in [0, 1] and total steps %d positive", start, end, total)
	}
	return &LinearLR{base, start, end, total}, nil
}

// NewLinearWarmup is the linear warmup LinearLR(base, 1/steps, 1, steps):
// the rate grows from base/steps to base over steps steps, then stays.
func NewLinearWarmup(base float64, steps int) (*LinearLR, error) {
	if steps <= 0 {
		return nil, fmt.Errorf("optim: linear warmup: %d steps, want > 0", steps)
	}
	return NewLinearLR(base, 1/float64(steps), 1, steps)
}

// LR implements Schedule.
func (s *LinearLR) LR(step int) float64 {
	t := min(step, s.total)
	return s.base * (s.start + (s.end-s.start)*float64(t)/float64(s.total))
}

// Sequential runs schedules one after another (torch SequentialLR): the
// i-th starts at milestones[i-1] and sees steps counted from there, so
// warmup-then-cosine is Sequential([LinearLR, CosineAnnealingLR], [w]).
type Sequential struct {
	scheds     []Schedule
	milestones []int
}

// NewSequential returns Sequential over scheds; milestones are the
// len(scheds)−1 increasing positive steps where each next schedule starts.
func NewSequential(scheds []Schedule, milestones []int) (*Sequential, error) {
	if len(scheds) == 0 || len(milestones) != len(scheds)-1 {
		return nil, fmt.Errorf("optim: SequentialLR: %d schedules need %d milestones, got %d", len(scheds), max(len(scheds)-1, 0), len(milestones))
	}
	for i, s := range scheds {
		if s == nil {
			return nil, fmt.Errorf("optim: SequentialLR: schedule %d is nil", i)
		}
	}
	for i, m := range milestones {
		if m <= 0 || i > 0 && m <= milestones[i-1] {
			return nil, fmt.Errorf("optim: SequentialLR: milestones %v must be positive and increasing", milestones)
		}
	}
	return &Sequential{append([]Schedule(nil), scheds...), append([]int(nil), milestones...)}, nil
}

// LR implements Schedule.
func (s *Sequential) LR(step int) float64 {
	i, start := s.phase(step)
	return s.scheds[i].LR(step - start)
}

func (s *Sequential) phase(step int) (i, start int) {
	for i < len(s.milestones) && step >= s.milestones[i] {
		start = s.milestones[i]
		i++
	}
	return i, start
}

// Momentum implements MomentumSchedule for the schedules that have one.
func (s *Sequential) Momentum(step int) (float64, bool) {
	i, start := s.phase(step)
	if ms, ok := s.scheds[i].(MomentumSchedule); ok {
		return ms.Momentum(step - start)
	}
	return 0, false
}

// NewWarmupCosine is the common transformer schedule: linear warmup from
// base/warmup to base over warmup steps, then cosine annealing to etaMin
// over the remaining total−warmup steps.
func NewWarmupCosine(base float64, warmup, total int, etaMin float64) (*Sequential, error) {
	if warmup <= 0 || total <= warmup {
		return nil, fmt.Errorf("optim: warmup-cosine: warmup %d must be positive and below total %d", warmup, total)
	}
	w, err := NewLinearWarmup(base, warmup)
	if err != nil {
		return nil, err
	}
	c, err := NewCosineAnnealingLR(base, total-warmup, etaMin)
	if err != nil {
		return nil, err
	}
	return NewSequential([]Schedule{w, c}, []int{warmup})
}

// OneCycleOptions are OneCycleLR's options; DefaultOneCycleOptions gives
// torch's defaults.
type OneCycleOptions struct {
	PctStart       float64 // fraction of the steps spent raising the rate (0.3)
	DivFactor      float64 // initial rate = max / DivFactor (25)
	FinalDivFactor float64 // final rate = initial / FinalDivFactor (1e4)
	ThreePhase     bool    // warm up, come back down symmetrically, then anneal (false)
	Linear         bool    // linear instead of cosine annealing (false)
	CycleMomentum  bool    // cycle momentum inversely to the rate (true)
	BaseMomentum   float64 // momentum at the peak rate (0.85)
	MaxMomentum    float64 // momentum at the start and end (0.95)
}

// DefaultOneCycleOptions returns torch.optim.lr_scheduler.OneCycleLR's
// defaults.
func DefaultOneCycleOptions() OneCycleOptions {
	return OneCycleOptions{PctStart: 0.3, DivFactor: 25, FinalDivFactor: 1e4,
		CycleMomentum: true, BaseMomentum: 0.85, MaxMomentum: 0.95}
}

// OneCycleLR is the 1cycle policy (Smith & Topin, 2018) as torch's
// OneCycleLR: the rate rises from max/DivFactor to max over PctStart of
// the steps, then anneals to max/DivFactor/FinalDivFactor; momentum moves
// the opposite way between MaxMomentum and BaseMomentum. It is defined for
// steps 0…total (torch allows one step past the end, extrapolating).
type OneCycleLR struct {
	o      OneCycleOptions
	total  int
	phases []ocPhase
}

type ocPhase struct {
	end              float64
	startLR, endLR   float64
	startMom, endMom float64
}

// NewOneCycleLR returns OneCycleLR peaking at maxLR over totalSteps.
func NewOneCycleLR(maxLR float64, totalSteps int, o OneCycleOptions) (*OneCycleLR, error) {
	if err := checkBase("OneCycleLR", maxLR); err != nil {
		return nil, err
	}
	if totalSteps <= 0 {
		return nil, fmt.Errorf("optim: OneCycleLR: total steps %d must be positive", totalSteps)
	}
	if !(o.PctStart >= 0 && o.PctStart <= 1) {
		return nil, fmt.Errorf("optim: OneCycleLR: pct_start %g must be in [0, 1]", o.PctStart)
	}
	if !(o.DivFactor > 0) || !(o.FinalDivFactor > 0) {
		return nil, fmt.Errorf("optim: OneCycleLR: div_factor %g and final_div_factor %g must be > 0", o.DivFactor, o.FinalDivFactor)
	}
	if o.CycleMomentum && (!(o.BaseMomentum >= 0) || !(o.MaxMomentum >= o.BaseMomentum)) {
		return nil, fmt.Errorf("optim: OneCycleLR: momentum range [%g, %g] must have 0 <= base <= max", o.BaseMomentum, o.MaxMomentum)
	}
	initial := maxLR / o.DivFactor
	minLR := initial / o.FinalDivFactor
	n := float64(totalSteps)
	lo, hi := o.BaseMomentum, o.MaxMomentum
	var ph []ocPhase
	if o.ThreePhase {
		ph = []ocPhase{
			{end: o.PctStart*n - 1, startLR: initial, endLR: maxLR, startMom: hi, endMom: lo},
			{end: 2*o.PctStart*n - 2, startLR: maxLR, endLR: initial, startMom: lo, endMom: hi},
			{end: n - 1, startLR: initial, endLR: minLR, startMom: hi, endMom: hi},
		}
	} else {
		ph = []ocPhase{
			{end: o.PctStart*n - 1, startLR: initial, endLR: maxLR, startMom: hi, endMom: lo},
			{end: n - 1, startLR: maxLR, endLR: minLR, startMom: lo, endMom: hi},
		}
	}
	return &OneCycleLR{o: o, total: totalSteps, phases: ph}, nil
}

// MaxStep implements Bounded: torch's OneCycleLR accepts total_steps
// scheduler steps after the initial one.
func (s *OneCycleLR) MaxStep() int { return s.total }

func (s *OneCycleLR) anneal(start, end, pct float64) float64 {
	if s.o.Linear {
		return (end-start)*pct + start
	}
	return end + (start-end)/2*(math.Cos(math.Pi*pct)+1)
}

// at returns the rate and momentum of step (torch's get_lr, phase by
// phase; the last phase takes every later step).
func (s *OneCycleLR) at(step int) (lr, mom float64) {
	t := float64(step)
	start := 0.0
	for i, p := range s.phases {
		if t <= p.end || i == len(s.phases)-1 {
			pct := (t - start) / (p.end - start)
			return s.anneal(p.startLR, p.endLR, pct), s.anneal(p.startMom, p.endMom, pct)
		}
		start = p.end
	}
	return math.NaN(), math.NaN()
}

// LR implements Schedule.
func (s *OneCycleLR) LR(step int) float64 {
	lr, _ := s.at(step)
	return lr
}

// Momentum implements MomentumSchedule (ok only with CycleMomentum).
func (s *OneCycleLR) Momentum(step int) (float64, bool) {
	if !s.o.CycleMomentum {
		return 0, false
	}
	_, m := s.at(step)
	return m, true
}

// PlateauOptions are ReduceLROnPlateau's options;
// DefaultPlateauOptions gives torch's defaults.
type PlateauOptions struct {
	Max          bool    // the metric should increase (mode 'max'); default: decrease
	Factor       float64 // new rate = rate·Factor (0.1)
	Patience     int     // bad steps tolerated before reducing (10)
	Threshold    float64 // least change that counts as better (1e-4)
	AbsThreshold bool    // Threshold is absolute (mode 'abs'); default: relative
	Cooldown     int     // steps to wait after a reduction (0)
	MinLR        float64 // lower bound on the rate (0)
	Eps          float64 // reductions smaller than this are skipped (1e-8)
}

// DefaultPlateauOptions returns torch.optim.lr_scheduler.ReduceLROnPlateau's
// defaults.
func DefaultPlateauOptions() PlateauOptions {
	return PlateauOptions{Factor: 0.1, Patience: 10, Threshold: 1e-4, Eps: 1e-8}
}

// ReduceLROnPlateau lowers an optimizer's learning rate when a metric
// (validation loss, say) stops improving, as torch's ReduceLROnPlateau:
// after more than Patience steps without a better value, the rate is
// multiplied by Factor (not below MinLR), then Cooldown steps pass before
// counting again.
type ReduceLROnPlateau struct {
	opt      LRSetter
	o        PlateauOptions
	lr       float64
	best     float64
	bad      int
	cooldown int
	steps    int
}

// NewReduceLROnPlateau returns a ReduceLROnPlateau over opt; it starts
// from the optimizer's current rate.
func NewReduceLROnPlateau(opt LRSetter, o PlateauOptions) (*ReduceLROnPlateau, error) {
	if opt == nil {
		return nil, fmt.Errorf("optim: ReduceLROnPlateau: nil optimizer")
	}
	if !(o.Factor > 0 && o.Factor < 1) {
		return nil, fmt.Errorf("optim: ReduceLROnPlateau: factor %g must be in (0, 1)", o.Factor)
	}
	if o.Patience < 0 || o.Cooldown < 0 || !(o.Threshold >= 0) || !(o.MinLR >= 0) || !(o.Eps >= 0) {
		return nil, fmt.Errorf("optim: ReduceLROnPlateau: patience %d, cooldown %d, threshold %g, min_lr %g and eps %g must be >= 0",
			o.Patience, o.Cooldown, o.Threshold, o.MinLR, o.Eps)
	}
	best := math.Inf(1)
	if o.Max {
		best = math.Inf(-1)
	}
	return &ReduceLROnPlateau{opt: opt, o: o, lr: float64(opt.LearningRate()), best: best}, nil
}

func (r *ReduceLROnPlateau) better(v float64) bool {
	o := r.o
	switch {
	case !o.Max && !o.AbsThreshold:
		return v < r.best*(1-o.Threshold)
	case !o.Max:
		return v < r.best-o.Threshold
	case !o.AbsThreshold:
		return v > r.best*(1+o.Threshold)
	}
	return v > r.best+o.Threshold
}

// Step records the metric of one step (an epoch, usually) and lowers the
// learning rate if it has not improved for long enough. A NaN metric is
// an error (it would count as "not better" forever).
func (r *ReduceLROnPlateau) Step(metric float64) error {
	if math.IsNaN(metric) {
		return fmt.Errorf("optim: ReduceLROnPlateau: metric is NaN at step %d", r.steps+1)
	}
	r.steps++
	if cur := r.opt.LearningRate(); cur != float32(r.lr) {
		r.lr = float64(cur) // changed from outside: follow it, as torch does
	}
	if r.better(metric) {
		r.best, r.bad = metric, 0
	} else {
		r.bad++
	}
	if r.cooldown > 0 {
		r.cooldown--
		r.bad = 0
	}
	if r.bad > r.o.Patience {
		if nl := math.Max(r.lr*r.o.Factor, r.o.MinLR); r.lr-nl > r.o.Eps {
			r.lr = nl
			r.opt.SetLearningRate(float32(nl))
		}
		r.cooldown, r.bad = r.o.Cooldown, 0
	}
	return nil
}

// LR returns the current learning rate.
func (r *ReduceLROnPlateau) LR() float64 { return r.lr }

// Best returns the best metric seen so far.
func (r *ReduceLROnPlateau) Best() float64 { return r.best }
