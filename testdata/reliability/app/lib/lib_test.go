package lib

import (
	"fmt"
	"testing"
)

func TestCompute(t *testing.T) {
	fmt.Println("lib test: Compute(3) =", Compute(3))
	if got := Compute(3); got != 10 {
		t.Fatalf("Compute(3) = %d", got)
	}
}
