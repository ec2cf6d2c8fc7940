// Package calltest holds the CallContext that the hooks' tests pass where
// the spliced code would pass its own.
package calltest

import "otelgo.dev/rules/api"

// Call records what a hook did to one call: the parameters it replaced,
// the results it set, whether it skipped the call, what it kept with
// SetData.
type Call struct {
	Recv     any
	Params   []any
	Results  []any
	Stored   any  // what SetData kept
	ParamSet bool // SetParam was called
	Skipped  bool // SkipCall was called
	Func     string
	Pkg      string
}

var _ api.CallContext = (*Call)(nil)

func (c *Call) Param(i int) any { return c.Params[i] }

func (c *Call) SetParam(i int, v any) {
	c.Params[i] = v
	c.ParamSet = true
}

func (c *Call) Receiver() any { return c.Recv }

// Result returns result i, nil for one never set.
func (c *Call) Result(i int) any {
	if i < len(c.Results) {
		return c.Results[i]
	}
	return nil
}

// SetResult sets result i, growing Results as needed.
func (c *Call) SetResult(i int, v any) {
	for len(c.Results) <= i {
		c.Results = append(c.Results, nil)
	}
	c.Results[i] = v
}

func (c *Call) SkipCall()           { c.Skipped = true }
func (c *Call) Data() any           { return c.Stored }
func (c *Call) SetData(v any)       { c.Stored = v }
func (c *Call) FuncName() string    { return c.Func }
func (c *Call) PackagePath() string { return c.Pkg }
