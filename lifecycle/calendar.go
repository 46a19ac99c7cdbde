package lifecycle

import (
	"context"
	"time"

	"github.com/accountsec/accountsec/reason"
)

// Calendar tells working days from days off, for the deadline of the
// manual review: the host supplies its public holidays and the make-up
// working days (调休) that move them.
type Calendar interface {
	// WorkingDay reports whether the day of date (midnight in the zone of
	// Config.Zone) is a working day.
	WorkingDay(ctx context.Context, date time.Time) (bool, error)
}

// CalendarFunc adapts a function to [Calendar].
type CalendarFunc func(ctx context.Context, date time.Time) (bool, error)

// WorkingDay calls f.
func (f CalendarFunc) WorkingDay(ctx context.Context, date time.Time) (bool, error) {
	return f(ctx, date)
}

// Weekends is the default Calendar: Monday to Friday are working days,
// Saturday and Sunday are not.
type Weekends struct{}

// WorkingDay reports whether date falls on Monday to Friday.
func (Weekends) WorkingDay(_ context.Context, date time.Time) (bool, error) {
	wd := date.Weekday()
	return wd != time.Saturday && wd != time.Sunday, nil
}

// Dates is a Calendar of weekends with the host's exceptions: Off are
// holidays (days off that would be working days), Work are make-up working
// days (weekend days that are working days). Dates are "2006-01-02" in
// the zone of Config.Zone.
type Dates struct {
	// Off are the holidays.
	Off []string
	// Work are the make-up working days.
	Work []string
}

// WorkingDay applies Work, then Off, then the weekends.
func (d Dates) WorkingDay(ctx context.Context, date time.Time) (bool, error) {
	day := date.Format(time.DateOnly)
	for _, w := range d.Work {
		if w == day {
			return true, nil
		}
	}
	for _, o := range d.Off {
		if o == day {
			return false, nil
		}
	}
	return Weekends{}.WorkingDay(ctx, date)
}

// maxDaysPerWorkingDay bounds the search for the next working day.
const maxDaysPerWorkingDay = 366

// AddWorkingDays returns the time n working days after from: the same
// clock time (in zone) on the n-th working day after from's day. from's own
// day never counts, whether or not it is a working day, so a review begun
// on Friday at 10:00 under Weekends is due on Wednesday at 10:00.
func AddWorkingDays(ctx context.Context, cal Calendar, zone *time.Location, from time.Time, n int) (time.Time, error) {
	local := from.In(zone)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, zone)
	for counted, gap := 0, 0; counted < n; {
		day = day.AddDate(0, 0, 1)
		ok, err := cal.WorkingDay(ctx, day)
		if err != nil {
			return time.Time{}, reason.New(reason.CancellationCalendarFailed).Wrap(err)
		}
		if ok {
			counted, gap = counted+1, 0
			continue
		}
		if gap++; gap > maxDaysPerWorkingDay {
			return time.Time{}, reason.New(reason.PolicyInvalid).With("field", "lifecycle.Config.Calendar").
				With("value", "no working day in a year").With("allowed", "a calendar with working days")
		}
	}
	return time.Date(day.Year(), day.Month(), day.Day(), local.Hour(), local.Minute(), local.Second(), local.Nanosecond(), zone).UTC(), nil
}
