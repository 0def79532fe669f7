package cmdlet

// Funcs is a [Command] made of functions; a nil function does nothing. It
// suits cmdlets whose stages share no state beyond what the closures hold:
// give Info.New a function that builds a fresh Funcs per stage.
type Funcs struct {
	OnBegin   func(rt Runtime, args *Args) error
	OnProcess func(rt Runtime, args *Args) error
	OnEnd     func(rt Runtime, args *Args) error
}

// Begin calls OnBegin.
func (f *Funcs) Begin(rt Runtime, args *Args) error {
	if f.OnBegin == nil {
		return nil
	}
	return f.OnBegin(rt, args)
}

// Process calls OnProcess.
func (f *Funcs) Process(rt Runtime, args *Args) error {
	if f.OnProcess == nil {
		return nil
	}
	return f.OnProcess(rt, args)
}

// End calls OnEnd.
func (f *Funcs) End(rt Runtime, args *Args) error {
	if f.OnEnd == nil {
		return nil
	}
	return f.OnEnd(rt, args)
}
