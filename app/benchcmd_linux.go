package app

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// rusageThread is Linux's RUSAGE_THREAD: the calling thread's usage.
const rusageThread = 1

// threadCPU is the calling OS thread's CPU time (user and system).
func threadCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

// processUsage is the process's CPU time (user and system) and its peak
// resident set size in bytes.
func processUsage() (cpu time.Duration, peakRSS int64, ok bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), int64(ru.Maxrss) << 10, true // Maxrss is in KiB
}

// watchPeakRSS follows the peak resident set size of process pid: the
// VmHWM of /proc/PID/status (its memory's high-water mark, which starts
// afresh at exec), read every 20 ms until the process is gone. stop, called
// once the process was waited for, returns the highest value read, in bytes.
//
// The exit status's getrusage ru_maxrss is not used: Linux carries the
// parent's high-water mark across fork and exec into it, so it would report
// the bench process's size when that is larger (a child /bin/true of a
// 200 MB parent reports 200 MB).
func watchPeakRSS(pid int) (stop func(*os.ProcessState) int64) {
	path := "/proc/" + strconv.Itoa(pid) + "/status"
	var peak atomic.Int64
	read := func() bool {
		b, err := os.ReadFile(path)
		if err != nil {
			return false
		}
		_, rest, ok := bytes.Cut(b, []byte("VmHWM:"))
		if !ok {
			return false // a zombie: its memory is gone
		}
		line, _, _ := bytes.Cut(rest, []byte("\n"))
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(string(line)), " kB"), 10, 64)
		if err != nil {
			return false
		}
		if kb<<10 > peak.Load() {
			peak.Store(kb << 10)
		}
		return true
	}
	read()
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if !read() {
					return
				}
			}
		}
	}()
	return func(*os.ProcessState) int64 {
		close(done)
		<-finished
		return peak.Load()
	}
}

// peakRSSSource says where the bench's peak RSS of bcqb comes from.
const peakRSSSource = "its memory's high-water mark (VmHWM), followed in /proc while it ran"
