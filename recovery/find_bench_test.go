package recovery_test

import (
	"context"
	"testing"
	"time"

	"github.com/accountsec/accountsec/recovery"
)

// BenchmarkFindKnownVersusUnknown runs each public first step for an
// identifier that matches and one that does not, alternately, and reports
// the ratio of their mean times (known/unknown; 1 means the same work).
func BenchmarkFindKnownVersusUnknown(b *testing.B) {
	steps := map[string]func(e *findEnv, known bool) error{
		"phone": func(e *findEnv, known bool) error {
			phone := phoneB
			if known {
				phone = phoneA
			}
			_, err := e.finder.FindByPhone(context.Background(), phone, clientIP)
			return err
		},
		"domain": func(e *findEnv, known bool) error {
			d := "unknown.example.com"
			if known {
				d = domain
			}
			_, err := e.finder.Start(context.Background(), recovery.WayDomain, d, clientIP)
			return err
		},
		"personal": func(e *findEnv, known bool) error {
			n := "110101199003074477"
			if known {
				n = idNumber
			}
			_, err := e.finder.StartPersonal(context.Background(), person, n, clientIP)
			return err
		},
	}
	for name, step := range steps {
		b.Run(name, func(b *testing.B) {
			e := newFindEnv(b, noLimits)
			a := e.register(b, "qq-owner", phoneA)
			e.verifyPerson(b, a.ID, person, idNumber)
			e.assets.Set(recovery.AssetDomain, domain, a.ID)
			var spent [2]time.Duration
			i := 0
			for b.Loop() {
				known := i%2 == 0
				start := time.Now()
				if err := step(e, known); err != nil {
					b.Fatal(err)
				}
				if known {
					spent[0] += time.Since(start)
				} else {
					spent[1] += time.Since(start)
				}
				i++
			}
			if spent[1] > 0 {
				b.ReportMetric(float64(spent[0])/float64(spent[1]), "known/unknown")
			}
		})
	}
}
