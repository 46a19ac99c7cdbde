package limits_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/store/memstore"
)

// The lockout reserves a failure before the expensive check and gives it
// back on success, so no burst of parallel guesses gets past the limit.
func ExampleLimiter() {
	ctx := context.Background()
	clock := fakes.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	lim, err := limits.NewLimiter(limits.Config{
		Store:  memstore.New(),
		Secret: []byte("example-secret-of-32-bytes-long!"),
		Now:    clock.Now,
	}, limits.Lockout{MaxFailures: 3})
	if err != nil {
		panic(err)
	}
	wrongPassword := func(context.Context) (bool, error) { return false, nil }
	for i := 1; i <= 4; i++ {
		_, err := lim.Do(ctx, "login", "alice@example.com", wrongPassword)
		var locked *limits.LockedError
		if errors.As(err, &locked) {
			fmt.Printf("attempt %d: locked until %s\n", i, locked.Until.Format(time.Kitchen))
		} else {
			fmt.Printf("attempt %d: wrong password\n", i)
		}
	}
	// Output:
	// attempt 1: wrong password
	// attempt 2: wrong password
	// attempt 3: locked until 9:30AM
	// attempt 4: locked until 9:30AM
}

func ExampleSendLimiter() {
	ctx := context.Background()
	clock := fakes.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	sends, err := limits.NewSendLimiter(limits.Config{
		Store:  memstore.New(),
		Secret: []byte("example-secret-of-32-bytes-long!"),
		Now:    clock.Now,
	}, limits.Send{})
	if err != nil {
		panic(err)
	}
	fmt.Println(sends.Allow(ctx, "sms", "+8613800138000", "203.0.113.7"))
	clock.Advance(20 * time.Second)
	var rl *limits.RateLimitedError
	if errors.As(sends.Allow(ctx, "sms", "+8613800138000", "203.0.113.7"), &rl) {
		fmt.Println("retry after", rl.RetryAfter)
	}
	// Output:
	// <nil>
	// retry after 40s
}

func ExamplePolicy_Resolve() {
	_, err := limits.Policy{Lockout: limits.Lockout{MaxFailures: 5000}}.Resolve()
	fmt.Println(err)
	// Output:
	// policy field limits.Policy.Lockout.MaxFailures has value 5000; allowed: 0..1000 [policy.invalid]
}
