package main

import (
	"bufio"
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/albkit/albkit/alb/albtest"
)

func client(t *testing.T, endpoint, id, secret string) *albsdk.Client {
	t.Helper()
	c, err := albsdk.NewClient(&openapiutil.Config{
		AccessKeyId: dara.String(id), AccessKeySecret: dara.String(secret),
		Endpoint: dara.String(endpoint), Protocol: dara.String("http"), RegionId: dara.String("cn-hangzhou"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-access-key-id", "my-id", "-access-key-secret", "my-secret", "-provisioning-delay", "1h"}, pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatal("no output")
	}
	line := sc.Text()
	if !strings.HasPrefix(line, "endpoint: 127.0.0.1:") {
		t.Fatalf("first line %q", line)
	}
	endpoint := strings.TrimPrefix(line, "endpoint: ")
	var summary strings.Builder
	for sc.Scan() {
		summary.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "apis:") {
			break
		}
	}
	for _, want := range []string{albtest.VSwitchH, albtest.EIPAnycast1, "provisioning: 1h0m0s"} {
		if !strings.Contains(summary.String(), want) {
			t.Fatalf("summary lacks %s:\n%s", want, summary.String())
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()

	c := client(t, endpoint, "my-id", "my-secret")
	resp, err := c.CreateLoadBalancer(&albsdk.CreateLoadBalancerRequest{
		VpcId: dara.String(albtest.DefaultVPCID), AddressType: dara.String("Intranet"), LoadBalancerEdition: dara.String("Basic"),
		LoadBalancerBillingConfig: &albsdk.CreateLoadBalancerRequestLoadBalancerBillingConfig{PayType: dara.String("PostPay")},
		ZoneMappings: []*albsdk.CreateLoadBalancerRequestZoneMappings{
			{VSwitchId: dara.String(albtest.VSwitchH), ZoneId: dara.String(albtest.ZoneH)},
			{VSwitchId: dara.String(albtest.VSwitchJ), ZoneId: dara.String(albtest.ZoneJ)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		g, err := c.GetLoadBalancerAttribute(&albsdk.GetLoadBalancerAttributeRequest{LoadBalancerId: resp.Body.LoadBalancerId})
		if err != nil || dara.StringValue(g.Body.LoadBalancerStatus) != "Provisioning" {
			t.Fatalf("get: %v %v", g, err)
		}
	}
	if _, err := client(t, endpoint, albtest.DefaultAccessKeyID, albtest.DefaultAccessKeySecret).DescribeZones(&albsdk.DescribeZonesRequest{}); err == nil {
		t.Fatal("default key accepted although -access-key-id replaced it")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
}

func TestRunBadFlags(t *testing.T) {
	ctx := context.Background()
	if err := run(ctx, []string{"-nope"}, io.Discard, io.Discard); err == nil {
		t.Fatal("unknown flag accepted")
	}
	if err := run(ctx, []string{"-seed", filepath.Join(t.TempDir(), "missing.json"), "-addr", "127.0.0.1:0"}, io.Discard, io.Discard); err == nil {
		t.Fatal("missing seed accepted")
	}
}

// TestBinary builds the program, runs it, reads the endpoint line and stops
// it with SIGTERM.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "emulator")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "endpoint: ") {
		t.Fatalf("first line %q", sc.Text())
	}
	endpoint := strings.TrimPrefix(sc.Text(), "endpoint: ")
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	z, err := client(t, endpoint, albtest.DefaultAccessKeyID, albtest.DefaultAccessKeySecret).DescribeZones(&albsdk.DescribeZonesRequest{})
	if err != nil || len(z.Body.Zones) != 4 {
		t.Fatalf("DescribeZones: %v %v", z, err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	select {
	case err := <-waitErr:
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
}
