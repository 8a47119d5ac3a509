package round

import (
	"errors"
	"fmt"
	"math/big"
)

// The round as a fixed point, solved exactly in rationals.
//
// Notation: a = fully diluted shares before the round (outstanding as
// converted + outstanding options + unissued pool E); Δ the pool increase;
// u = 1/P shares per currency unit; V the pre-money; N the new money; S_k
// the shares converting instrument k receives, with amount I_k (principal
// plus interest for notes), discount factor f_k = 1/(1−d_k) and, when
// capped, c_k = I_k/cap_k.
//
//	T = a + Δ + ΣS + N·u                       (share count)
//	S_k = I_k·max(f_k·u, B_k/cap_k)            (greater of price and cap)
//	B_post = a + ΣS       (YC post-money SAFE Company Capitalization)
//	B_pre  = a + Δ        (pre-money SAFE and note capitalization)
//	pricing: percentage  a + Δ + ΣS = V·u
//	         pre-money   a + Δ      = V·u
//	         dollars     a + Δ + ΣS = (V + ΣI)·u
//	pool:    E + Δ = t·T (target), Δ = Δ₀ (fixed) or Δ = 0.
//
// With every instrument's branch of the max fixed, the system is linear:
// ΣS = s0 + sΔ·Δ + su·u, leaving two equations in (Δ, u). The solver picks
// branches, solves the 2×2 system exactly, re-picks each branch as the max
// at that solution and repeats until no branch changes. Each pass is a
// Newton step on a concave piecewise-linear balance, so it terminates after
// at most a few passes (reported as Iterations); the fixed point it lands
// on satisfies every equation exactly, which the tests check, and plain
// fixed-point iteration on the price converges to the same value.

type poolMode int

const (
	poolNone poolMode = iota
	poolFixed
	poolTarget
)

type problem struct {
	a, e, v, n, sumI *big.Rat
	method           Method
	pool             poolMode
	delta0, target   *big.Rat
	inst             []*instrument
}

type solution struct {
	u, delta, sigma *big.Rat
	shares          []*big.Rat
	iterations      int
}

func rat(x int64) *big.Rat { return new(big.Rat).SetInt64(x) }

func add(x, y *big.Rat) *big.Rat { return new(big.Rat).Add(x, y) }
func sub(x, y *big.Rat) *big.Rat { return new(big.Rat).Sub(x, y) }
func mul(x, y *big.Rat) *big.Rat { return new(big.Rat).Mul(x, y) }
func quo(x, y *big.Rat) *big.Rat { return new(big.Rat).Quo(x, y) }

// linear solves the round for the instruments' current branches.
func (p *problem) linear() (*solution, error) {
	one := rat(1)
	cPost, cPre, g := new(big.Rat), new(big.Rat), new(big.Rat)
	for _, in := range p.inst {
		switch {
		case in.capBranch && in.post:
			cPost.Add(cPost, in.c)
		case in.capBranch:
			cPre.Add(cPre, in.c)
		default:
			g.Add(g, mul(in.amount, in.f))
		}
	}
	if cPost.Cmp(one) >= 0 {
		return nil, fmt.Errorf("the post-money SAFEs converting at their caps claim %s%% of the company (Σ amount/cap ≥ 100%%)", cPost.FloatString(2))
	}
	d := quo(one, sub(one, cPost))
	s0 := mul(d, mul(add(cPost, cPre), p.a))
	sD := mul(d, cPre)
	sU := mul(d, g)

	var a1, b1, c1 *big.Rat
	negA := new(big.Rat).Neg(add(p.a, s0))
	switch p.method {
	case PreMoneyMethod:
		a1, b1, c1 = one, new(big.Rat).Neg(p.v), new(big.Rat).Neg(p.a)
	case DollarsInvested:
		a1, b1, c1 = add(one, sD), sub(sU, add(p.v, p.sumI)), negA
	default:
		a1, b1, c1 = add(one, sD), sub(sU, p.v), negA
	}
	var a2, b2, c2 *big.Rat
	switch p.pool {
	case poolFixed:
		a2, b2, c2 = one, new(big.Rat), p.delta0
	case poolTarget:
		t := p.target
		a2 = sub(sub(one, t), mul(t, sD))
		b2 = new(big.Rat).Neg(mul(t, add(sU, p.n)))
		c2 = sub(mul(t, add(p.a, s0)), p.e)
	default:
		a2, b2, c2 = one, new(big.Rat), new(big.Rat)
	}
	det := sub(mul(a1, b2), mul(a2, b1))
	if det.Sign() == 0 {
		return nil, errors.New("the round's equations are singular: no unique price solves them")
	}
	delta := quo(sub(mul(c1, b2), mul(c2, b1)), det)
	u := quo(sub(mul(a1, c2), mul(a2, c1)), det)
	if u.Sign() <= 0 {
		return nil, errors.New("no positive price solves the round: the converting securities claim more than the pre-money leaves")
	}
	sigma := add(s0, add(mul(sD, delta), mul(sU, u)))
	s := &solution{u: u, delta: delta, sigma: sigma, shares: make([]*big.Rat, len(p.inst))}
	bPost, bPre := add(p.a, sigma), add(p.a, delta)
	for i, in := range p.inst {
		switch {
		case in.capBranch && in.post:
			s.shares[i] = mul(in.c, bPost)
		case in.capBranch:
			s.shares[i] = mul(in.c, bPre)
		default:
			s.shares[i] = mul(mul(in.amount, in.f), u)
		}
	}
	return s, nil
}

// solve finds the fixed point: branches re-picked until stable.
func (p *problem) solve() (*solution, error) {
	for _, in := range p.inst {
		in.capBranch = in.c != nil
	}
	limit := 2*len(p.inst) + 10
	for it := 1; it <= limit; it++ {
		s, err := p.linear()
		if err != nil {
			return nil, err
		}
		s.iterations = it
		bPost, bPre := add(p.a, s.sigma), add(p.a, s.delta)
		changed := false
		for _, in := range p.inst {
			if in.c == nil {
				continue
			}
			priceShares := mul(mul(in.amount, in.f), s.u)
			b := bPre
			if in.post {
				b = bPost
			}
			capWins := mul(in.c, b).Cmp(priceShares) >= 0
			if capWins != in.capBranch {
				in.capBranch = capWins
				changed = true
			}
		}
		if !changed {
			if p.pool == poolTarget && s.delta.Sign() < 0 {
				return nil, fmt.Errorf("pool target %s%% is below the unissued pool the company already has; kaiwu does not cancel reserved shares (lower nothing, or drop the target)",
					mul(p.target, rat(100)).FloatString(2))
			}
			return s, nil
		}
	}
	return nil, fmt.Errorf("the conversions did not settle after %d passes", limit)
}
