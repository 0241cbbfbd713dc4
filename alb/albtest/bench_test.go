package albtest_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

// The benchmarks compare the emulator with a trivial server that answers the
// emulator's own GetLoadBalancerAttribute answer (the same bytes, captured
// once per run), so that the ratio measures the emulator and not the SDK
// decoding bodies of different sizes. Commands and figures: README.md,
// section Benchmarks.

// captureClient is a dara.HttpClient that keeps the body of the last answer.
type captureClient struct{ body []byte }

func (c *captureClient) Call(req *http.Request, _ *http.Transport) (*http.Response, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	c.body = b
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}

func sdkConfig(endpoint string) *openapiutil.Config {
	return &openapiutil.Config{
		AccessKeyId: dara.String(albtest.DefaultAccessKeyID), AccessKeySecret: dara.String(albtest.DefaultAccessKeySecret),
		Endpoint: dara.String(endpoint), Protocol: dara.String("http"), RegionId: dara.String(albtest.DefaultRegion),
	}
}

// sdkClient returns an ALB SDK client with the SDK's default HTTP client.
func sdkClient(tb testing.TB, cfg *openapiutil.Config) *albsdk.Client {
	tb.Helper()
	cfg.HttpClient = nil
	c, err := albsdk.NewClient(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// activeLB creates an instance through c, waits until it is Active and
// returns its ID and the raw body of one GetLoadBalancerAttribute answer.
func activeLB(tb testing.TB, cfg *openapiutil.Config) (string, []byte) {
	tb.Helper()
	cc := &captureClient{}
	cfg.HttpClient = cc
	c, err := albsdk.NewClient(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	id := mustCreate(tb, c, createReq())
	waitActive(tb, c, id)
	get(tb, c, id)
	if !bytes.Contains(cc.body, []byte(`"LoadBalancerStatus":"Active"`)) {
		tb.Fatalf("captured answer: %s", cc.body)
	}
	return id, cc.body
}

func sequential(b *testing.B, c *albsdk.Client, id string) {
	req := &albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: dara.String(id)}
	if _, err := c.GetLoadBalancerAttribute(req); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.GetLoadBalancerAttribute(req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSequentialCalls measures sequential SDK GetLoadBalancerAttribute
// calls against the in-process emulator and against an in-process trivial
// handler that answers the emulator's own answer (same bytes) without
// checking anything. Both use the SDK's default HTTP client.
func BenchmarkSequentialCalls(b *testing.B) {
	srv := albtest.NewServer(albtest.WithTransitions(albtest.Immediate()), albtest.WithRequestLogLimit(1000))
	defer srv.Close()
	id, body := activeLB(b, srv.Config())
	ts := httptest.NewServer(replayHandler(body))
	defer ts.Close()
	b.Run("emulator", func(b *testing.B) { sequential(b, sdkClient(b, srv.Config()), id) })
	b.Run("trivial", func(b *testing.B) {
		sequential(b, sdkClient(b, sdkConfig(strings.TrimPrefix(ts.URL, "http://"))), id)
	})
}

// replayHandler answers body with the emulator's response headers.
func replayHandler(body []byte) http.Handler {
	n := strconv.Itoa(len(body))
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json;charset=utf-8")
		h.Set("x-acs-request-id", "8A5C1F0E-2B1D-4C3E-9F10-000000000001")
		h.Set("Content-Length", n)
		_, _ = w.Write(body)
	})
}

// proc is a server running in its own process.
type proc struct {
	cmd      *exec.Cmd
	endpoint string
}

// buildBinaries builds the standalone emulator and the replay server into a
// temporary directory, once per benchmark.
func buildBinaries(b *testing.B) (emulator, replay string) {
	b.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		b.Skip("no go command:", err)
	}
	dir := b.TempDir()
	emulator, replay = filepath.Join(dir, "emulator"), filepath.Join(dir, "replay")
	for _, x := range [][2]string{{emulator, "github.com/albkit/albkit/examples/emulator"}, {replay, "./testdata/replay"}} {
		if out, err := exec.Command(goBin, "build", "-o", x[0], x[1]).CombinedOutput(); err != nil {
			b.Fatalf("go build %s: %v\n%s", x[1], err, out)
		}
	}
	return emulator, replay
}

// startProc starts a server program and waits for its "endpoint: " line.
func startProc(b *testing.B, path string, args ...string) *proc {
	b.Helper()
	cmd := exec.Command(path, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	sc := bufio.NewScanner(out)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "endpoint: ") {
		b.Fatalf("%s: no endpoint line: %q %v", path, sc.Text(), sc.Err())
	}
	p := &proc{cmd: cmd, endpoint: strings.TrimPrefix(sc.Text(), "endpoint: ")}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return p
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// status reads a "Name:   N kB" field of /proc/PID/status, in kB.
func (p *proc) status(b *testing.B, field string) float64 {
	b.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		b.Skip("no /proc:", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			if err != nil {
				b.Fatalf("%s: %q", field, line)
			}
			return kb
		}
	}
	b.Fatalf("no %s in /proc/%d/status", field, p.cmd.Process.Pid)
	return 0
}

// cpu returns the process's user+system CPU time (clock ticks of 10 ms).
func (p *proc) cpu(b *testing.B) time.Duration {
	b.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		b.Skip("no /proc:", err)
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // fields from 3 (state) on
	ut, _ := strconv.ParseInt(f[11], 10, 64)                 // field 14
	st, _ := strconv.ParseInt(f[12], 10, 64)                 // field 15
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// standalone starts `go run ./examples/emulator` (built once) and the replay
// server answering the emulator's own GetLoadBalancerAttribute answer, each
// in its own process, and returns them with an Active instance's ID.
//
// With ALBTEST_BENCH_AA=1 a second replay server takes the emulator's place
// once the answer is captured: an A/A run, whose rate-ratio shows the noise
// of the measurement itself.
func standalone(b *testing.B) (emu, triv *proc, id string) {
	b.Helper()
	emuBin, replayBin := buildBinaries(b)
	emu = startProc(b, emuBin, "-addr", "127.0.0.1:0")
	id, body := activeLB(b, sdkConfig(emu.endpoint))
	file := filepath.Join(b.TempDir(), "answer.json")
	if err := os.WriteFile(file, body, 0o600); err != nil {
		b.Fatal(err)
	}
	triv = startProc(b, replayBin, file)
	if os.Getenv("ALBTEST_BENCH_AA") == "1" {
		emu = startProc(b, replayBin, file)
	}
	return emu, triv, id
}

// BenchmarkStandalone measures sequential SDK GetLoadBalancerAttribute calls
// against the standalone emulator and the replay server, each in its own
// process. The sub-benchmarks "emulator" and "trivial" feed benchstat; the
// "interleaved" one alternates one call to each, so that drifts in the
// machine's load hit both alike, and reports each one's median call time,
// the rate ratio (emulator rate / trivial rate, from the medians, which
// scheduling spikes do not move) and each server's CPU time per call (from
// /proc/PID/stat, 10 ms ticks).
func BenchmarkStandalone(b *testing.B) {
	emu, triv, id := standalone(b)
	b.Run("emulator", func(b *testing.B) { sequential(b, sdkClient(b, sdkConfig(emu.endpoint)), id) })
	b.Run("trivial", func(b *testing.B) { sequential(b, sdkClient(b, sdkConfig(triv.endpoint)), id) })
	b.Run("interleaved", func(b *testing.B) {
		ce, ct := sdkClient(b, sdkConfig(emu.endpoint)), sdkClient(b, sdkConfig(triv.endpoint))
		req := &albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: dara.String(id)}
		for _, c := range []*albsdk.Client{ce, ct} {
			if _, err := c.GetLoadBalancerAttribute(req); err != nil {
				b.Fatal(err)
			}
		}
		de, dt := make([]time.Duration, b.N), make([]time.Duration, b.N)
		cpuE, cpuT := emu.cpu(b), triv.cpu(b)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			if _, err := ce.GetLoadBalancerAttribute(req); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if _, err := ct.GetLoadBalancerAttribute(req); err != nil {
				b.Fatal(err)
			}
			de[i], dt[i] = t1.Sub(t0), time.Since(t1)
		}
		b.StopTimer()
		n := float64(b.N)
		me, mt := median(de), median(dt)
		b.ReportMetric(float64(me.Nanoseconds())/1e3, "emu-µs/call")
		b.ReportMetric(float64(mt.Nanoseconds())/1e3, "trivial-µs/call")
		b.ReportMetric(float64(mt)/float64(me), "rate-ratio")
		b.ReportMetric(float64((emu.cpu(b)-cpuE).Microseconds())/n, "emu-cpu-µs/call")
		b.ReportMetric(float64((triv.cpu(b)-cpuT).Microseconds())/n, "trivial-cpu-µs/call")
	})
}

// BenchmarkStandaloneMemory makes b.N sequential SDK GetLoadBalancerAttribute
// calls to the standalone emulator (its own process, default options) and
// reports its resident set size (VmRSS of /proc/PID/status) before and after,
// and its peak (VmHWM). Run it with -benchtime 100000x for the figure in the
// README.
func BenchmarkStandaloneMemory(b *testing.B) {
	emuBin, _ := buildBinaries(b)
	emu := startProc(b, emuBin, "-addr", "127.0.0.1:0")
	id, _ := activeLB(b, sdkConfig(emu.endpoint))
	c := sdkClient(b, sdkConfig(emu.endpoint))
	req := &albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: dara.String(id)}
	before := emu.status(b, "VmRSS")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.GetLoadBalancerAttribute(req); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(before/1024, "rss-before-MB")
	b.ReportMetric(emu.status(b, "VmRSS")/1024, "rss-after-MB")
	b.ReportMetric(emu.status(b, "VmHWM")/1024, "rss-peak-MB")
}

// discardWriter is an http.ResponseWriter that keeps nothing but the status.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }
func (w *discardWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// BenchmarkHandler measures the emulator's own cost per request: a signed
// ACS3 GetLoadBalancerAttribute request (as the SDK sends it, each with its
// own nonce) served by Handler, without a network or an SDK.
func BenchmarkHandler(b *testing.B) { newHandlerBench(b, true).run(b) }

// BenchmarkProfileStandalone runs testdata/emuprof (the emulator writing a CPU profile
// to $EMUPROF) under sequential SDK calls. For investigation only: skipped unless
// EMUPROF is set.
func BenchmarkProfileStandalone(b *testing.B) {
	out := os.Getenv("EMUPROF")
	if out == "" {
		b.Skip("EMUPROF not set")
	}
	bin := filepath.Join(b.TempDir(), "emuprof")
	if o, err := exec.Command("go", "build", "-o", bin, "./testdata/emuprof").CombinedOutput(); err != nil {
		b.Fatalf("%v\n%s", err, o)
	}
	emu := startProc(b, bin, out)
	id, body := activeLB(b, sdkConfig(emu.endpoint))
	if os.Getenv("EMUPROF_REPLAY") != "" {
		file := filepath.Join(b.TempDir(), "answer.json")
		if err := os.WriteFile(file, body, 0o600); err != nil {
			b.Fatal(err)
		}
		emu = startProc(b, bin, out+".replay", file)
	}
	c := sdkClient(b, sdkConfig(emu.endpoint))
	req := &albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: dara.String(id)}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.GetLoadBalancerAttribute(req); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	_ = emu.cmd.Process.Signal(os.Interrupt)
	_ = emu.cmd.Wait()
}
