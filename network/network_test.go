package network

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func rules(errs []error) []string {
	var out []string
	for _, err := range errs {
		var v *Violation
		if !errors.As(err, &v) {
			panic("not a *Violation: " + err.Error())
		}
		out = append(out, v.Rule)
	}
	return out
}

func ruleOf(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var v *Violation
	if !errors.As(err, &v) {
		t.Fatalf("error %v is not a *Violation", err)
	}
	if v.Message == "" {
		t.Fatalf("violation %q has an empty message", v.Rule)
	}
	return v.Rule
}

func TestCheckPrefix(t *testing.T) {
	tests := []struct {
		cidr string // "" means the zero Prefix
		want string
	}{
		{"10.0.0.0/8", ""},
		{"10.0.0.0/24", ""},
		{"10.0.0.0/27", ""},
		{"10.0.0.0/28", ""},
		{"10.0.0.0/29", RulePrefixTooLong},
		{"10.0.0.0/30", RulePrefixTooLong},
		{"10.0.0.5/32", RulePrefixTooLong},
		{"0.0.0.0/0", ""},
		{"2001:db8::/64", RulePrefixTooLong},
		{"", RulePrefixTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.cidr, func(t *testing.T) {
			var p netip.Prefix
			if tt.cidr != "" {
				p = netip.MustParsePrefix(tt.cidr)
			}
			if got := ruleOf(t, CheckPrefix(p)); got != tt.want {
				t.Errorf("CheckPrefix(%s) rule = %q, want %q", tt.cidr, got, tt.want)
			}
		})
	}
}

func TestCheckPrefixMessageNamesBlock(t *testing.T) {
	err := CheckPrefix(netip.MustParsePrefix("192.168.1.0/29"))
	if err == nil || !strings.Contains(err.Error(), "192.168.1.0/29") || !strings.Contains(err.Error(), "/28") {
		t.Fatalf("message %v should name the block and the /28 limit", err)
	}
}

func TestReservedIPv4(t *testing.T) {
	tests := []struct {
		cidr string
		want []string
	}{
		{"10.0.0.0/24", []string{"10.0.0.0", "10.0.0.253", "10.0.0.254", "10.0.0.255"}},
		{"10.0.0.7/24", []string{"10.0.0.0", "10.0.0.253", "10.0.0.254", "10.0.0.255"}}, // unmasked input
		{"192.168.16.0/28", []string{"192.168.16.0", "192.168.16.13", "192.168.16.14", "192.168.16.15"}},
		{"10.0.0.0/30", []string{"10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3"}},
		{"10.0.0.0/31", []string{"10.0.0.0", "10.0.0.1"}},
		{"10.0.0.9/32", []string{"10.0.0.9"}},
		{"0.0.0.0/0", []string{"0.0.0.0", "255.255.255.253", "255.255.255.254", "255.255.255.255"}},
		{"2001:db8::/64", nil},
	}
	for _, tt := range tests {
		t.Run(tt.cidr, func(t *testing.T) {
			var got []string
			for _, a := range ReservedIPv4(netip.MustParsePrefix(tt.cidr)) {
				got = append(got, a.String())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ReservedIPv4(%s) = %v, want %v", tt.cidr, got, tt.want)
			}
		})
	}
	if got := ReservedIPv4(netip.Prefix{}); got != nil {
		t.Errorf("ReservedIPv4(zero) = %v, want nil", got)
	}
}

func TestIsReservedIPv4(t *testing.T) {
	p := netip.MustParsePrefix("10.0.0.0/24")
	tests := []struct {
		addr string
		want bool
	}{
		{"10.0.0.0", true},
		{"10.0.0.1", false},
		{"10.0.0.128", false},
		{"10.0.0.252", false},
		{"10.0.0.253", true},
		{"10.0.0.254", true},
		{"10.0.0.255", true},
		{"10.0.1.0", false}, // outside
		{"::ffff:10.0.0.0", false},
	}
	for _, tt := range tests {
		if got := IsReservedIPv4(p, netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("IsReservedIPv4(%s, %s) = %v, want %v", p, tt.addr, got, tt.want)
		}
	}
	if IsReservedIPv4(netip.Prefix{}, netip.MustParseAddr("10.0.0.0")) {
		t.Error("zero prefix: want false")
	}
}

// TestReservedConsistency checks IsReservedIPv4 agrees with ReservedIPv4 and
// UsableIPv4 for every address of small blocks.
func TestReservedConsistency(t *testing.T) {
	for bits := 24; bits <= 32; bits++ {
		p := netip.PrefixFrom(netip.MustParseAddr("172.16.5.0"), bits).Masked()
		res := ReservedIPv4(p)
		n, reserved := 0, 0
		for a := p.Addr(); p.Contains(a); a = a.Next() {
			n++
			is := IsReservedIPv4(p, a)
			if is != slices.Contains(res, a) {
				t.Errorf("%s: IsReservedIPv4(%s) = %v disagrees with ReservedIPv4 %v", p, a, is, res)
			}
			if is {
				reserved++
			}
		}
		if reserved != len(res) {
			t.Errorf("%s: %d reserved addresses, ReservedIPv4 has %d", p, reserved, len(res))
		}
		if got := UsableIPv4(p); got != n-reserved {
			t.Errorf("UsableIPv4(%s) = %d, want %d", p, got, n-reserved)
		}
	}
}

func TestUsableIPv4(t *testing.T) {
	tests := []struct {
		cidr string
		want int
	}{
		{"10.0.0.0/24", 252},
		{"10.0.0.0/28", 12},
		{"10.0.0.0/29", 4},
		{"10.0.0.0/30", 0},
		{"10.0.0.0/32", 0},
		{"10.0.0.0/16", 65532},
		{"0.0.0.0/0", 1<<32 - 4},
		{"2001:db8::/64", 0},
	}
	for _, tt := range tests {
		if got := UsableIPv4(netip.MustParsePrefix(tt.cidr)); got != tt.want {
			t.Errorf("UsableIPv4(%s) = %d, want %d", tt.cidr, got, tt.want)
		}
	}
	if got := UsableIPv4(netip.Prefix{}); got != 0 {
		t.Errorf("UsableIPv4(zero) = %d, want 0", got)
	}
}

func TestCheckIntranetAddress(t *testing.T) {
	p24 := netip.MustParsePrefix("10.0.0.0/24")
	tests := []struct {
		name string
		cidr netip.Prefix
		addr netip.Addr
		want string
	}{
		{"first usable", p24, netip.MustParseAddr("10.0.0.1"), ""},
		{"middle", p24, netip.MustParseAddr("10.0.0.100"), ""},
		{"last usable", p24, netip.MustParseAddr("10.0.0.252"), ""},
		{"network .0", p24, netip.MustParseAddr("10.0.0.0"), RuleIntranetReserved},
		{".253", p24, netip.MustParseAddr("10.0.0.253"), RuleIntranetReserved},
		{".254", p24, netip.MustParseAddr("10.0.0.254"), RuleIntranetReserved},
		{".255", p24, netip.MustParseAddr("10.0.0.255"), RuleIntranetReserved},
		{"outside above", p24, netip.MustParseAddr("10.0.1.1"), RuleIntranetOutsideCIDR},
		{"outside below", p24, netip.MustParseAddr("9.255.255.255"), RuleIntranetOutsideCIDR},
		{"ipv6 address", p24, netip.MustParseAddr("2001:db8::1"), RuleIntranetOutsideCIDR},
		{"4in6 address", p24, netip.MustParseAddr("::ffff:10.0.0.5"), RuleIntranetOutsideCIDR},
		{"zero address", p24, netip.Addr{}, RuleIntranetOutsideCIDR},
		{"zero prefix", netip.Prefix{}, netip.MustParseAddr("10.0.0.5"), RuleIntranetOutsideCIDR},
		{"ipv6 prefix", netip.MustParsePrefix("2001:db8::/64"), netip.MustParseAddr("10.0.0.5"), RuleIntranetOutsideCIDR},
		{"unmasked prefix", netip.MustParsePrefix("10.0.0.77/24"), netip.MustParseAddr("10.0.0.5"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ruleOf(t, CheckIntranetAddress(tt.cidr, tt.addr)); got != tt.want {
				t.Errorf("CheckIntranetAddress(%s, %s) rule = %q, want %q", tt.cidr, tt.addr, got, tt.want)
			}
		})
	}
}

func goodVSwitch() VSwitch {
	return VSwitch{
		ID:           "vsw-a",
		VPCID:        "vpc-1",
		ZoneID:       "cn-hangzhou-a",
		CIDR:         netip.MustParsePrefix("10.0.0.0/24"),
		IPv6CIDR:     netip.MustParsePrefix("2408:4000:1:100::/64"),
		IPv6Enabled:  true,
		AvailableIPs: 200,
		Status:       "Available",
	}
}

func TestCheckVSwitch(t *testing.T) {
	none := netip.Addr{}
	tests := []struct {
		name      string
		mod       func(*VSwitch)
		vpc, zone string
		dual      bool
		intranet  netip.Addr
		want      []string
	}{
		{"all good", nil, "vpc-1", "cn-hangzhou-a", true, netip.MustParseAddr("10.0.0.10"), nil},
		{"skip vpc and zone checks", func(v *VSwitch) { v.VPCID, v.ZoneID = "vpc-x", "z-x" }, "", "", false, none, nil},
		{"vpc mismatch", nil, "vpc-2", "cn-hangzhou-a", false, none, []string{RuleVPCMismatch}},
		{"zone mismatch", nil, "vpc-1", "cn-hangzhou-b", false, none, []string{RuleZoneMismatch}},
		{"pending", func(v *VSwitch) { v.Status = "Pending" }, "", "", false, none, []string{RuleVSwitchNotAvailable}},
		{"empty status", func(v *VSwitch) { v.Status = "" }, "", "", false, none, []string{RuleVSwitchNotAvailable}},
		{"/28 ok", func(v *VSwitch) { v.CIDR = netip.MustParsePrefix("10.0.0.0/28") }, "", "", false, none, nil},
		{"/29", func(v *VSwitch) { v.CIDR = netip.MustParsePrefix("10.0.0.0/29") }, "", "", false, none, []string{RulePrefixTooLong}},
		{"available 2", func(v *VSwitch) { v.AvailableIPs = 2 }, "", "", false, none, []string{RuleNotEnoughAddresses}},
		{"available 0", func(v *VSwitch) { v.AvailableIPs = 0 }, "", "", false, none, []string{RuleNotEnoughAddresses}},
		{"available 3", func(v *VSwitch) { v.AvailableIPs = 3 }, "", "", false, none, []string{RuleAutoScalingAddresses}},
		{"available 7", func(v *VSwitch) { v.AvailableIPs = 7 }, "", "", false, none, []string{RuleAutoScalingAddresses}},
		{"available 8", func(v *VSwitch) { v.AvailableIPs = 8 }, "", "", false, none, nil},
		{"dual-stack without ipv6", func(v *VSwitch) { v.IPv6Enabled, v.IPv6CIDR = false, netip.Prefix{} }, "", "", true, none, []string{RuleIPv6Required}},
		{"dual-stack enabled flag without block", func(v *VSwitch) { v.IPv6CIDR = netip.Prefix{} }, "", "", true, none, []string{RuleIPv6Required}},
		{"ipv4 without ipv6 ok", func(v *VSwitch) { v.IPv6Enabled, v.IPv6CIDR = false, netip.Prefix{} }, "", "", false, none, nil},
		{"intranet reserved", nil, "", "", false, netip.MustParseAddr("10.0.0.255"), []string{RuleIntranetReserved}},
		{"intranet outside", nil, "", "", false, netip.MustParseAddr("10.9.0.1"), []string{RuleIntranetOutsideCIDR}},
		{"everything wrong", func(v *VSwitch) {
			v.VPCID, v.ZoneID, v.Status = "vpc-9", "z-9", "Pending"
			v.CIDR = netip.MustParsePrefix("10.0.0.0/29")
			v.AvailableIPs = 1
			v.IPv6Enabled, v.IPv6CIDR = false, netip.Prefix{}
		}, "vpc-1", "cn-hangzhou-a", true, netip.MustParseAddr("10.0.0.7"), []string{
			RuleVPCMismatch, RuleZoneMismatch, RuleVSwitchNotAvailable, RulePrefixTooLong,
			RuleNotEnoughAddresses, RuleIPv6Required, RuleIntranetReserved,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := goodVSwitch()
			if tt.mod != nil {
				tt.mod(&vs)
			}
			errs := CheckVSwitch(vs, tt.vpc, tt.zone, tt.dual, tt.intranet)
			if got := rules(errs); !slices.Equal(got, tt.want) {
				t.Errorf("rules = %v, want %v", got, tt.want)
			}
			if tt.want == nil && errs != nil {
				t.Errorf("want nil slice, got %#v", errs)
			}
			for _, err := range errs {
				if !strings.Contains(err.Error(), vs.ID) {
					t.Errorf("message %q does not name vSwitch %s", err, vs.ID)
				}
			}
		})
	}
}

func TestFreeAfterALB(t *testing.T) {
	for _, tt := range []struct{ avail, want int }{{0, -3}, {3, 0}, {8, 5}, {252, 249}} {
		if got := FreeAfterALB(VSwitch{AvailableIPs: tt.avail}); got != tt.want {
			t.Errorf("FreeAfterALB(%d) = %d, want %d", tt.avail, got, tt.want)
		}
	}
}

func TestBackendAllowList(t *testing.T) {
	vs := []VSwitch{
		{ID: "b", CIDR: netip.MustParsePrefix("10.0.2.0/24"), IPv6CIDR: netip.MustParsePrefix("2408:4000:1:200::/64")},
		{ID: "a", CIDR: netip.MustParsePrefix("10.0.1.0/24"), IPv6CIDR: netip.MustParsePrefix("2408:4000:1:100::/64")},
		{ID: "dup", CIDR: netip.MustParsePrefix("10.0.1.9/24")}, // same block, unmasked
		{ID: "wide", CIDR: netip.MustParsePrefix("10.0.0.0/16")},
		{ID: "empty"},
	}
	var got []string
	for _, p := range BackendAllowList(vs) {
		got = append(got, p.String())
	}
	want := []string{"10.0.0.0/16", "10.0.1.0/24", "10.0.2.0/24", "2408:4000:1:100::/64", "2408:4000:1:200::/64"}
	if !slices.Equal(got, want) {
		t.Errorf("BackendAllowList = %v, want %v", got, want)
	}
	if got := BackendAllowList(nil); got != nil {
		t.Errorf("BackendAllowList(nil) = %v, want nil", got)
	}
	if got := BackendAllowList([]VSwitch{{ID: "x"}}); got != nil {
		t.Errorf("BackendAllowList(no blocks) = %v, want nil", got)
	}
}

func TestViolationError(t *testing.T) {
	v := &Violation{Rule: RuleZoneMismatch, Message: "vSwitch vsw-1 is elsewhere"}
	if got, want := v.Error(), "network: vswitch-zone-mismatch: vSwitch vsw-1 is elsewhere"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func FuzzCheckIntranetAddress(f *testing.F) {
	f.Add([]byte{10, 0, 0, 0}, 24, []byte{10, 0, 0, 255})
	f.Add([]byte{0, 0, 0, 0}, 0, []byte{255, 255, 255, 255})
	f.Add([]byte{192, 168, 1, 1}, 32, []byte{192, 168, 1, 1})
	f.Add([]byte{1, 2, 3}, 99, []byte{})
	f.Add(make([]byte, 16), 64, make([]byte, 16))
	f.Fuzz(func(t *testing.T, prefixAddr []byte, bits int, addr []byte) {
		pa, _ := netip.AddrFromSlice(prefixAddr)
		a, _ := netip.AddrFromSlice(addr)
		p := netip.PrefixFrom(pa, bits)
		perr := CheckPrefix(p)
		ierr := CheckIntranetAddress(p, a)
		_ = ReservedIPv4(p)
		_ = UsableIPv4(p)
		_ = IsReservedIPv4(p, a)
		_ = CheckVSwitch(VSwitch{CIDR: p, IPv6CIDR: p}, "", "", true, a)
		_ = BackendAllowList([]VSwitch{{CIDR: p, IPv6CIDR: p}})
		for _, err := range []error{perr, ierr} {
			if err != nil {
				var v *Violation
				if !errors.As(err, &v) || v.Message == "" {
					t.Fatalf("bad error %v", err)
				}
			}
		}
		if ierr == nil && (!a.Is4() || !p.Masked().Contains(a) || IsReservedIPv4(p, a)) {
			t.Fatalf("CheckIntranetAddress(%s, %s) accepted a bad address", p, a)
		}
	})
}
