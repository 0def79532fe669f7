package object

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// ArithOp is an arithmetic operator.
type ArithOp uint8

// The arithmetic operators.
const (
	OpAdd ArithOp = iota
	OpSub
	OpMul
	OpDiv
	OpMod
)

var arithNames = [...]string{"+", "-", "*", "/", "%"}

func (op ArithOp) String() string { return arithNames[op] }

// Size limits for values built by + and *, so that a runaway loop fails
// with a clear error instead of exhausting memory.
const (
	maxConcat = 1 << 28
	maxArray  = 1 << 26
)

// ErrDivideByZero is PowerShell's division by zero error.
var ErrDivideByZero = errors.New("Attempted to divide by zero.")

// Arith applies an arithmetic operator with PowerShell's rules: the left
// operand decides. Numbers add, subtract, multiply and divide as numbers
// (integers stay integers unless they overflow or a division is inexact,
// then they become doubles; the right side is converted to a number);
// + concatenates strings (the right side as text), arrays (the right side
// appended, or its elements) and hashtables (duplicate keys are an error);
// * repeats strings and arrays; $null on the left acts as 0 or as nothing
// added to the right side.
func Arith(op ArithOp, l, r Value) (Value, error) {
	if a, ok := l.(int64); ok {
		if b, ok := r.(int64); ok {
			return intArith(op, a, b)
		}
	}
	switch x := l.(type) {
	case nil:
		switch op {
		case OpAdd:
			if r == nil {
				return nil, nil
			}
			switch r.(type) {
			case string, []Value, *Hashtable:
				return r, nil
			}
			return numArith(op, int64(0), r)
		case OpMul:
			return nil, nil
		}
		return numArith(op, int64(0), r)
	case string:
		switch op {
		case OpAdd:
			rs := ToString(r)
			if len(x)+len(rs) > maxConcat {
				return nil, fmt.Errorf("The string would be too long (%d bytes; the limit is %d).", len(x)+len(rs), maxConcat)
			}
			return x + rs, nil
		case OpMul:
			n, err := ToInt(r)
			if err != nil {
				return nil, err
			}
			if n < 0 {
				return nil, fmt.Errorf("Cannot repeat a string a negative number of times (%d).", n)
			}
			if int64(len(x))*n > maxConcat {
				return nil, fmt.Errorf("The result of repeating the string %d times is too large.", n)
			}
			return strings.Repeat(x, int(n)), nil
		}
		if num, ok := ParseNumber(x); ok {
			return numArith(op, num, r)
		}
		return nil, opError(op, l, r)
	case []Value:
		switch op {
		case OpAdd:
			if len(x) >= maxArray {
				return nil, fmt.Errorf("The array would be too large (the limit is %d elements).", maxArray)
			}
			out := make([]Value, len(x), len(x)+1)
			copy(out, x)
			if rl, ok := r.([]Value); ok {
				return append(out, rl...), nil
			}
			return append(out, r), nil
		case OpMul:
			n, err := ToInt(r)
			if err != nil {
				return nil, err
			}
			if n < 0 || int64(len(x))*n > maxArray {
				return nil, fmt.Errorf("Cannot repeat an array %d times.", n)
			}
			out := make([]Value, 0, len(x)*int(n))
			for i := int64(0); i < n; i++ {
				out = append(out, x...)
			}
			return out, nil
		}
		return nil, opError(op, l, r)
	case *Hashtable:
		if op != OpAdd {
			return nil, opError(op, l, r)
		}
		rh, ok := r.(*Hashtable)
		if !ok {
			return nil, errors.New("A hash table can only be added to another hash table.")
		}
		out := NewHashtable()
		for i := 0; i < x.Len(); i++ {
			k, v := x.At(i)
			out.Set(k, v)
		}
		for i := 0; i < rh.Len(); i++ {
			k, v := rh.At(i)
			if _, dup := out.Get(k); dup {
				return nil, fmt.Errorf("Item has already been added. Key in dictionary: '%s'  Key being added: '%s'", k, k)
			}
			out.Set(k, v)
		}
		return out, nil
	case time.Time:
		return nil, opError(op, l, r)
	case int64, float64, bool:
		return numArith(op, l, r)
	}
	return nil, opError(op, l, r)
}

func opError(op ArithOp, l, r Value) error {
	return fmt.Errorf("Method invocation failed because [%s] does not contain a method named 'op_%s'.", TypeName(l), arithMethod[op])
}

var arithMethod = [...]string{"Addition", "Subtraction", "Multiply", "Division", "Modulus"}

// toNumber converts an arithmetic operand to int64 or float64.
func toNumber(v Value) (Value, error) {
	switch x := v.(type) {
	case int64, float64:
		return x, nil
	case nil:
		return int64(0), nil
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case string:
		if strings.TrimSpace(x) == "" {
			return int64(0), nil
		}
		n, ok := ParseNumber(x)
		if !ok {
			return nil, &ConversionError{Value: v, Target: "Double", Reason: "Input string was not in a correct format."}
		}
		return n, nil
	case []Value:
		if len(x) == 1 {
			return toNumber(x[0])
		}
	}
	return nil, &ConversionError{Value: v, Target: "Double"}
}

// ToNumber converts v to an int64 or float64 as unary + does.
func ToNumber(v Value) (Value, error) { return toNumber(v) }

func numArith(op ArithOp, l, r Value) (Value, error) {
	a, err := toNumber(l)
	if err != nil {
		return nil, err
	}
	b, err := toNumber(r)
	if err != nil {
		return nil, err
	}
	ai, aInt := a.(int64)
	bi, bInt := b.(int64)
	if aInt && bInt {
		return intArith(op, ai, bi)
	}
	af, _ := ToFloat(a)
	bf, _ := ToFloat(b)
	return floatArith(op, af, bf)
}

func intArith(op ArithOp, a, b int64) (Value, error) {
	switch op {
	case OpAdd:
		s := a + b
		if (s > a) == (b > 0) {
			return s, nil
		}
		return float64(a) + float64(b), nil
	case OpSub:
		s := a - b
		if (s < a) == (b > 0) {
			return s, nil
		}
		return float64(a) - float64(b), nil
	case OpMul:
		if a == 0 || b == 0 {
			return int64(0), nil
		}
		p := a * b
		if p/b == a && !(a == -1 && b == math.MinInt64) && !(b == -1 && a == math.MinInt64) {
			return p, nil
		}
		return float64(a) * float64(b), nil
	case OpDiv:
		if b == 0 {
			return nil, ErrDivideByZero
		}
		if a%b == 0 && !(a == math.MinInt64 && b == -1) {
			return a / b, nil
		}
		return float64(a) / float64(b), nil
	case OpMod:
		if b == 0 {
			return nil, ErrDivideByZero
		}
		if b == -1 {
			return int64(0), nil
		}
		return a % b, nil
	}
	return nil, fmt.Errorf("unknown operator %v", op)
}

func floatArith(op ArithOp, a, b float64) (Value, error) {
	switch op {
	case OpAdd:
		return a + b, nil
	case OpSub:
		return a - b, nil
	case OpMul:
		return a * b, nil
	case OpDiv:
		if b == 0 {
			return nil, ErrDivideByZero
		}
		return a / b, nil
	case OpMod:
		if b == 0 {
			return nil, ErrDivideByZero
		}
		return math.Mod(a, b), nil
	}
	return nil, fmt.Errorf("unknown operator %v", op)
}

// Negate is unary minus.
func Negate(v Value) (Value, error) {
	n, err := toNumber(v)
	if err != nil {
		return nil, err
	}
	switch x := n.(type) {
	case int64:
		if x == math.MinInt64 {
			return -float64(x), nil
		}
		return -x, nil
	case float64:
		return -x, nil
	}
	return nil, &ConversionError{Value: v, Target: "Double"}
}
