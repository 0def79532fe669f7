package plugin

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"pinsh/host/cmdlet"
	"pinsh/host/object"
)

// A read-only cmdlet whose upstream is pure gets its input in batches:
// Process only queues, End (or Flush) processes, in order, and what the
// plugin writes is exactly what one object at a time gives.
func TestBatchedInput(t *testing.T) {
	_, reg, _ := sharedManager(t)
	in := lookup(t, reg, "Invoke-Echo")
	var inputs []object.Value
	for i := 0; i < 150; i++ {
		inputs = append(inputs, fmt.Sprint("v", i))
	}
	inputs[70] = "bad"
	events := func(pure bool) []string {
		rt := &fakeRuntime{pure: pure}
		if err := run(context.Background(), in, rt, nil, inputs...); err != nil {
			t.Fatal(err)
		}
		return rt.events
	}
	one, batched := events(false), events(true)
	if strings.Join(one, "\n") != strings.Join(batched, "\n") {
		t.Fatalf("batched events differ:\n%v\none at a time:\n%v", batched, one)
	}
	if len(one) != 150 || one[70] != "err bad input" {
		t.Fatalf("events %d, [70] = %q", len(one), one[70])
	}
}

// drive runs a stage by hand, reporting after which call the stage's
// first output appeared and the first error it returned.
func drive(t *testing.T, in *cmdlet.Info, pure bool, inputs ...object.Value) (firstOutput string, rt *fakeRuntime, err error) {
	t.Helper()
	rt = &fakeRuntime{ctx: context.Background(), name: in.Name, pure: pure}
	cmd, args := begin(t, in, rt, nil)
	for i, v := range inputs {
		if err := args.BindInput(v); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Process(rt, args); err != nil {
			return firstOutput, rt, fmt.Errorf("Process %d: %w", i, err)
		}
		if firstOutput == "" && len(rt.events) > 0 {
			firstOutput = fmt.Sprint("Process ", i)
		}
	}
	if b, ok := cmd.(cmdlet.Batcher); ok {
		if err := b.Flush(rt); err != nil {
			return firstOutput, rt, fmt.Errorf("Flush: %w", err)
		}
		if firstOutput == "" && len(rt.events) > 0 {
			firstOutput = "Flush"
		}
	}
	if err := cmd.End(rt, args); err != nil {
		return firstOutput, rt, fmt.Errorf("End: %w", err)
	}
	return firstOutput, rt, nil
}

// With a pure upstream the objects wait for Flush; a terminating error
// in the batch ends the stage at its object: what came before it was
// written, nothing after it was processed.
func TestBatchFlushAndFailure(t *testing.T) {
	_, reg, _ := sharedManager(t)
	in := lookup(t, reg, "Invoke-Echo")
	first, _, err := drive(t, in, true, "a", "b", "c")
	if err != nil || first != "Flush" {
		t.Errorf("pure upstream: first output after %q (%v), want Flush", first, err)
	}
	first, _, err = drive(t, in, false, "a", "b", "c")
	if err != nil || first != "Process 0" {
		t.Errorf("impure upstream: first output after %q (%v), want Process 0", first, err)
	}
	_, rt, err := drive(t, in, true, "a", "fail", "c")
	if err == nil || !strings.HasPrefix(err.Error(), "Flush: ") || !strings.Contains(err.Error(), "failed on purpose") {
		t.Errorf("failure in a batch: %v", err)
	}
	if got := strings.Join(rt.events, ","); got != "obj a" {
		t.Errorf("events %s, want obj a", got)
	}
}

// A cmdlet declared read-only cannot ask to change anything.
func TestReadOnlyEnforced(t *testing.T) {
	_, reg, _ := sharedManager(t)
	rt := &fakeRuntime{pure: true}
	err := run(context.Background(), lookup(t, reg, "Invoke-Sneaky"), rt, nil, "x")
	if err == nil || !strings.Contains(err.Error(), "called should_process, but its cmdlet Invoke-Sneaky is declared read-only") {
		t.Fatalf("err = %v", err)
	}
}
