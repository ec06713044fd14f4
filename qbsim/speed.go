package qbsim

import "time"

// Speed is a model of QuickBooks' own processing time, so benchmarks can
// set bcqb's overhead against what QuickBooks itself costs. The constants
// are the estimates of shared/reference/NOTES-qb-performance.md §5.4 (no
// public benchmark exists; they are bracketed by integrators' reports).
type Speed struct {
	SessionSetup  time.Duration // opening the file and the HCP queries
	PerMessage    time.Duration // parsing one message set
	PerTxn        time.Duration // each transaction written (add, void, delete)
	PerListAdd    time.Duration // each list object added or changed
	PerLine       time.Duration // each line of a transaction written
	PerListRecord time.Duration // each list record a query returns
	PerTxnRecord  time.Duration // each transaction a query returns
}

// Speeds from the fast (single user, local, small file), typical and slow
// (multi-user, network share, large file) columns.
var (
	FastSpeed = Speed{SessionSetup: 1500 * time.Millisecond, PerMessage: 30 * time.Millisecond, PerTxn: 200 * time.Millisecond,
		PerListAdd: 50 * time.Millisecond, PerLine: 5 * time.Millisecond, PerListRecord: time.Millisecond, PerTxnRecord: 5 * time.Millisecond}
	TypicalSpeed = Speed{SessionSetup: 3 * time.Second, PerMessage: 100 * time.Millisecond, PerTxn: 500 * time.Millisecond,
		PerListAdd: 200 * time.Millisecond, PerLine: 20 * time.Millisecond, PerListRecord: 3 * time.Millisecond, PerTxnRecord: 20 * time.Millisecond}
	SlowSpeed = Speed{SessionSetup: 10 * time.Second, PerMessage: 300 * time.Millisecond, PerTxn: 2 * time.Second,
		PerListAdd: time.Second, PerLine: 100 * time.Millisecond, PerListRecord: 10 * time.Millisecond, PerTxnRecord: 100 * time.Millisecond}
)

// SpeedNamed returns "fast", "typical" or "slow" ("" or "none": no delay).
func SpeedNamed(name string) (Speed, bool) {
	switch name {
	case "", "none":
		return Speed{}, true
	case "fast":
		return FastSpeed, true
	case "typical":
		return TypicalSpeed, true
	case "slow":
		return SlowSpeed, true
	}
	return Speed{}, false
}

// cost is the modeled time of one request's work (PerMessage and
// SessionSetup are spent elsewhere).
func (s Speed) cost(w work) time.Duration {
	return time.Duration(w.txnWrites)*s.PerTxn + time.Duration(w.listWrites)*s.PerListAdd +
		time.Duration(w.lines)*s.PerLine + time.Duration(w.listRecords)*s.PerListRecord +
		time.Duration(w.txnRecords)*s.PerTxnRecord
}
