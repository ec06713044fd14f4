package app

import (
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"
)

// TestBenchPeakRSSIsTheChilds: a small child of a large process is measured
// small (getrusage's ru_maxrss of the child would say the parent's size).
func TestBenchPeakRSSIsTheChilds(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 160 MB")
	}
	big := make([]byte, 160<<20)
	for i := range big {
		big[i] = 1
	}
	cmd := exec.Command("sleep", "0.3")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep command:", err)
	}
	stop := watchPeakRSS(cmd.Process.Pid)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	peak := stop(cmd.ProcessState)
	runtime.KeepAlive(big)
	if peak <= 0 || peak > 64<<20 {
		t.Errorf("sleep's peak RSS = %d bytes, want a few MB (the parent holds 160 MB)", peak)
	}
	t.Logf("sleep: %d KB by /proc; %d KB by the exit status", peak>>10, childMaxrssKB(cmd.ProcessState))
}

func childMaxrssKB(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}
