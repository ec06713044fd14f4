#!/usr/bin/env bash
# Self-test of .ci/fuzz, the CI fuzz step. Runs in throw-away directories,
# needs no network and touches nothing in the repository.
#
# With fake runners (FUZZ_RUNNER), deterministic:
#   - a target that fails and writes a new input fails the step, which names
#     that input (and only it) and prints its content; it is not rerun;
#   - a target that fails once without writing an input is rerun once and
#     passes; its first output is printed whole;
#   - a target that always fails without writing an input fails the step
#     after exactly two runs (an input already in its corpus is not "new");
#   - a target that exits non-zero with no output at all is rerun likewise;
#   - other targets still run after one fails; targets are found by git grep.
# With the real go test -fuzz, on a tiny stdlib-only module:
#   - the engine finds an input starting with 'Z': the step fails and names
#     the file go test wrote under testdata/fuzz/;
#   - a failing seed (no input written): rerun once, then the step fails.
# Ends with "N passed, M failed"; exits 1 if any check failed.
set -uo pipefail

fuzz="$(cd "$(dirname "$0")" && pwd)/fuzz"
work=$(mktemp -d "${TMPDIR:-/tmp}/ci-fuzz-test.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT

passed=0 failed=0
out="$work/out"

# check DESCRIPTION COMMAND...: one assertion about the last run.
check() {
	local desc=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
		echo "ok   $desc"
	else
		failed=$((failed + 1))
		echo "FAIL $desc"
		echo "     (.ci/fuzz exited $rc; its output:)"
		sed 's/^/     | /' "$out"
	fi
}
has() { grep -qF -- "$1" "$out"; }
hasnt() { ! grep -qF -- "$1" "$out"; }
calls() { # PKG NAME: how often the fake runner ran this target
	grep -cxF -- "$1 $2" "$work/calls" || true
}
ran() { [ "$(calls "$1" "$2")" -eq "$3" ]; }

# fuzz DIR ARGS...: runs .ci/fuzz in DIR; its output in $out, status in $rc.
fuzz() {
	local dir=$1
	shift
	: >"$work/calls"
	(cd "$dir" && "$fuzz" "$@") >"$out" 2>&1
	rc=$?
}

# ---- fake runners
cat >"$work/runner" <<'EOF'
#!/usr/bin/env bash
# A fake "go test -fuzz": PKG NAME; behaviour chosen by NAME.
pkg=$1 name=$2
echo "$pkg $name" >>"$CALLS"
n=$(grep -cxF -- "$pkg $name" "$CALLS")
dir="$pkg/testdata/fuzz/$name"
case $name in
FuzzFinds | FuzzFindsToo)
	mkdir -p "$dir"
	printf 'go test fuzz v1\n[]byte("x\\x00boom")\n' >"$dir/5eedfa11"
	cat <<OUT
fuzz: elapsed: 0s, gathering baseline coverage: 0/3 completed
fuzz: elapsed: 1s, execs: 1234 (1234/sec), new interesting: 1 (total: 4)
--- FAIL: $name (1.20s)
    --- FAIL: $name (0.00s)
        fake_test.go:12: boom on "x\x00boom"

    Failing input written to testdata/fuzz/$name/5eedfa11
    To re-run:
    go test -run=$name/5eedfa11
FAIL
exit status 1
FAIL	example.com/fake/a	1.300s
OUT
	exit 1
	;;
FuzzFindsExisting)
	# go test names an input that was already in the corpus directory.
	echo "--- FAIL: $name (0.50s)"
	echo "    Failing input written to testdata/fuzz/$name/c0ffee"
	echo "FAIL"
	exit 1
	;;
FuzzFlaky)
	if [ "$n" -eq 1 ]; then
		cat <<OUT
fuzz: elapsed: 0s, gathering baseline coverage: 0/9 completed
fuzz: elapsed: 3s, execs: 20000 (6666/sec), new interesting: 0 (total: 9)
fuzz: elapsed: 6s, execs: 20000 (0/sec), new interesting: 0 (total: 9)
MIDDLE OF THE FLAKY OUTPUT
fuzz: elapsed: 9s, execs: 20000 (0/sec), new interesting: 0 (total: 9)
--- FAIL: $name (11.02s)
    fuzzing process hung or terminated unexpectedly: exit status 2
FAIL
exit status 1
FAIL	example.com/fake/a	11.100s
OUT
		exit 1
	fi
	echo "fuzz: elapsed: 10s, execs: 90000 (9000/sec)"
	echo "PASS"
	echo "ok  	example.com/fake/a	10.2s"
	;;
FuzzAlwaysFails)
	echo "fuzz: elapsed: 3s, execs: 5 (0/sec), new interesting: 0 (total: 9)"
	echo "FIRST LINE OF A HANG, run $n"
	echo "--- FAIL: $name (11.00s)"
	echo "    context deadline exceeded"
	echo "FAIL"
	exit 1
	;;
FuzzSilent)
	exit 2
	;;
*)
	echo "PASS"
	echo "ok  	example.com/fake/$pkg	10.1s"
	;;
esac
EOF
chmod +x "$work/runner"
export FUZZ_RUNNER="$work/runner" CALLS="$work/calls" FUZZTIME=1s

fake="$work/fake"
mkdir -p "$fake/a/testdata/fuzz/FuzzFinds" "$fake/a/testdata/fuzz/FuzzAlwaysFails" \
	"$fake/a/testdata/fuzz/FuzzFindsExisting"
echo 'go test fuzz v1' >"$fake/a/testdata/fuzz/FuzzFinds/0ldseed"
echo 'go test fuzz v1' >"$fake/a/testdata/fuzz/FuzzAlwaysFails/0ldseed"
echo 'go test fuzz v1' >"$fake/a/testdata/fuzz/FuzzFindsExisting/c0ffee"

echo "== .ci/fuzz with fake runners"

fuzz "$fake" ./a:FuzzPasses
check "a passing target passes" [ "$rc" -eq 0 ]
check "a passing target runs once" ran ./a FuzzPasses 1

fuzz "$fake" ./a:FuzzFinds
check "a target that writes a new input fails the step" [ "$rc" -eq 1 ]
check "... and the step names the new input" has "failing input: ./a/testdata/fuzz/FuzzFinds/5eedfa11"
check "... and prints its content" has '[]byte("x\x00boom")'
check "... and not an input that was there before" hasnt "0ldseed"
check "... and prints the failure whole, first line" has "gathering baseline coverage: 0/3"
check "... and prints the failure whole, the cause" has 'fake_test.go:12: boom on'
check "... and prints the failure whole, last line" has "FAIL	example.com/fake/a	1.300s"
check "... and it is not rerun" ran ./a FuzzFinds 1
check "... and the summary says so" has "FAIL (input)   ./a FuzzFinds"

fuzz "$fake" ./a:FuzzFindsExisting
check "a target that names an input already there fails the step" [ "$rc" -eq 1 ]
check "... and the step names that input" has "failing input: ./a/testdata/fuzz/FuzzFindsExisting/c0ffee"
check "... and it is not rerun" ran ./a FuzzFindsExisting 1

fuzz "$fake" ./a:FuzzFlaky
check "a target that fails once without an input passes the step" [ "$rc" -eq 0 ]
check "... after exactly two runs" ran ./a FuzzFlaky 2
check "... saying it reran it" has "FUZZ RERUN ./a FuzzFlaky"
check "... with the first failure printed whole, middle" has "MIDDLE OF THE FLAKY OUTPUT"
check "... with the first failure printed whole, cause" has "fuzzing process hung or terminated unexpectedly"
check "... with the first failure printed whole, last line" has "FAIL	example.com/fake/a	11.100s"
check "... and the summary says so" has "pass on rerun  ./a FuzzFlaky"

fuzz "$fake" ./a:FuzzAlwaysFails
check "a target that always fails without an input fails the step" [ "$rc" -eq 1 ]
check "... after exactly two runs" ran ./a FuzzAlwaysFails 2
check "... printing both outputs whole" has "FIRST LINE OF A HANG, run 2"
check "... and the first" has "FIRST LINE OF A HANG, run 1"
check "... not taking an input already there for a finding" hasnt "failing input:"
check "... and the summary says so" has "FAIL (twice)   ./a FuzzAlwaysFails"

fuzz "$fake" ./a:FuzzSilent
check "a target that exits 2 silently fails the step" [ "$rc" -eq 1 ]
check "... after exactly two runs" ran ./a FuzzSilent 2
check "... with its exit status shown" has "exit status 2"

fuzz "$fake" ./a:FuzzFindsToo ./b:FuzzPasses ./a:FuzzFlaky
check "one finding among several targets fails the step" [ "$rc" -eq 1 ]
check "... and the targets after it still run" ran ./b FuzzPasses 1
check "... all of them" ran ./a FuzzFlaky 2

fuzz "$fake" FuzzNoPackage
check "a target without PKG: is refused" [ "$rc" -eq 2 ]

# Targets found by git grep, as in CI.
disc="$work/disc"
mkdir -p "$disc/x" "$disc/y/z"
printf 'package x\n\nfunc FuzzOne(f *testing.F) {}\n\nfunc FuzzTwo_2(f *testing.F) {}\n' >"$disc/x/x_test.go"
printf 'package z\n\nfunc FuzzThree(f *testing.F) {}\n' >"$disc/y/z/z_test.go"
printf 'package x\n\nfunc FuzzNotATest() {}\n' >"$disc/x/x.go"
git -C "$disc" init -q && git -C "$disc" add . || exit 2
fuzz "$disc"
check "targets are found by git grep" [ "$rc" -eq 0 ]
check "... FuzzOne" ran ./x FuzzOne 1
check "... FuzzTwo_2" ran ./x FuzzTwo_2 1
check "... FuzzThree in a nested package" ran ./y/z FuzzThree 1
check "... and nothing outside *_test.go" [ "$(wc -l <"$work/calls")" -eq 3 ]

# ---- the real go test -fuzz
unset FUZZ_RUNNER
echo "== .ci/fuzz with go test -fuzz on a throw-away module"
real="$work/real"
mkdir -p "$real"
cat >"$real/z_test.go" <<'EOF'
package z

import "testing"

// FuzzZ fails on any input starting with 'Z'; the engine finds one fast.
func FuzzZ(f *testing.F) {
	f.Add([]byte("A"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 0 && b[0] == 'Z' {
			t.Fatalf("input starts with Z: %q", b)
		}
	})
}

// FuzzSeed fails on its own seed, where go test writes no input.
func FuzzSeed(f *testing.F) {
	f.Add([]byte("Z"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 0 && b[0] == 'Z' {
			t.Fatalf("seed starts with Z: %q", b)
		}
	})
}
EOF
# Offline, and blind to any go.work or GOFLAGS of the caller.
export GOFLAGS='' GOWORK=off GOPROXY=off GOTOOLCHAIN=local
(cd "$real" && go mod init example.com/fuzzselftest >/dev/null 2>&1) || exit 2

FUZZTIME=60s fuzz "$real" .:FuzzZ
written=$(find "$real/testdata/fuzz/FuzzZ" -type f 2>/dev/null | head -n 1)
check "go test -fuzz finding an input fails the step" [ "$rc" -eq 1 ]
check "... and go test wrote the input" [ -n "$written" ]
check "... and the step names it" has "failing input: ./testdata/fuzz/FuzzZ/$(basename "${written:-none}")"
check "... and prints the failure" has "input starts with Z"
check "... and does not rerun it" hasnt "FUZZ RERUN"

FUZZTIME=5s fuzz "$real" .:FuzzSeed
check "go test -fuzz failing on a seed (no input written) fails the step" [ "$rc" -eq 1 ]
check "... after a rerun" has "FUZZ RERUN . FuzzSeed"
check "... printing the failure" has "seed starts with Z"
check "... and writes no input" [ ! -e "$real/testdata/fuzz/FuzzSeed" ]
check "... and the summary says failed twice" has "FAIL (twice)   . FuzzSeed"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
