package alb_test

import (
	"errors"
	"net/netip"
	"strconv"
	"testing"

	"github.com/albkit/albkit/alb"
	"github.com/albkit/albkit/eip"
	"github.com/albkit/albkit/network"
	"github.com/albkit/albkit/waf"
)

// FuzzValidate builds specs and facts from fuzzed values and checks that
// Validate and ValidateFacts never panic and always answer with nil or a
// well-formed *ValidationError whose rules are all documented in Rules().
//
// flags bits: 0 EIPs, 1 Anycast EIP type, 2 single-zone region, 3 vSwitch
// Pending, 4 IPv6 enabled, 5 EIP PrePaid, 6 EIP in use, 7 WAF 2.0 present.
// The fact EIP type is drawn from "", Common and Anycast only: an invalid
// fact type is the known gap pinned by TestReportedRulesAreListed.
func FuzzValidate(f *testing.F) {
	f.Add("web", "vpc-1", "Internet", "Standard", "IPv4", "cn-hangzhou-", "vsw-", uint8(2), uint8(2), "10.0.1.10", "key-1", "env", "prod", "eip-", "10.0.1.0/24", 200, uint8(0))
	f.Add("web", "vpc-1", "Internet", "StandardWithWaf", "DualStack", "cn-hangzhou-", "vsw-", uint8(3), uint8(3), "", "", "env", "", "aeip-", "10.0.1.0/24", 200, uint8(0b10010011))
	f.Add("", "vpc-1", "Intranet", "Basic", "", "z", "vsw-", uint8(1), uint8(1), "10.0.1.0", "", "", "", "", "10.0.1.0/29", 5, uint8(0b00000101))
	f.Add("1x", "vpc", "Public", "standard", "IPv6", "", "sw", uint8(12), uint8(2), "::ffff:10.0.1.10", "clé\n", "acs:http://", "https://", "1.2.3.4", "fd00::/64", -1, uint8(0xff))
	f.Add("负载均衡", "", "", "", "Ipv4", "cn-", "vsw-", uint8(11), uint8(0), "999.1.1.1", "\x00\x7f", "albkit:client-token", "x", "eip-", "not a cidr", 0, uint8(0b01101001))
	f.Add("a", "vpc-1", "Internet", "Basic", "DualStack", "z", "vsw-", uint8(10), uint8(5), "10.0.1.255", "k", "k", "v", "eip-", "0.0.0.0/0", 1<<40, uint8(0b00100001))

	ids := map[string]bool{}
	for _, r := range alb.Rules() {
		ids[r.ID] = true
	}

	f.Fuzz(func(t *testing.T, name, vpcID, addrType, edition, ipVersion, zonePrefix, vswPrefix string,
		nZones, distinctZones uint8, intranet, key, tagKey, tagValue, eipPrefix, cidr string, avail int, flags uint8) {
		n := int(nZones % 13) // 0..12 zones
		mod := int(distinctZones%12) + 1
		s := alb.InstanceSpec{
			Name:           name,
			VPCID:          vpcID,
			AddressType:    alb.AddressType(addrType),
			Edition:        alb.Edition(edition),
			IPVersion:      alb.IPVersion(ipVersion),
			IdempotencyKey: key,
		}
		eipType := eip.TypeCommon
		if flags&2 != 0 {
			eipType = eip.TypeAnycast
		}
		for i := range n {
			z := alb.Zone(zonePrefix+strconv.Itoa(i%mod), vswPrefix+strconv.Itoa(i))
			if flags&1 != 0 {
				z = z.WithEIP(eipPrefix + strconv.Itoa(i%mod)).WithEIPType(eipType)
			}
			if i%2 == 0 {
				z = z.WithIntranetAddress(intranet)
			}
			s.ZoneMappings = append(s.ZoneMappings, z)
		}
		for i := range n * 2 {
			s.Tags = append(s.Tags, alb.Tag{Key: tagKey + strconv.Itoa(i%(mod+1)), Value: tagValue})
		}
		s.SecurityGroupIDs = []string{"sg-" + tagKey, "sg-" + tagValue}

		prefix, _ := netip.ParsePrefix(cidr) // zero when invalid: a fact-level violation
		facts := alb.Facts{
			SingleZoneRegion: flags&4 != 0,
			VSwitches:        map[string]network.VSwitch{},
			EIPs:             map[string]eip.Address{},
		}
		if flags&128 != 0 {
			facts.WAF = &waf.Facts{V2Present: true}
		} else {
			facts.WAF = &waf.Facts{V3: waf.V3State(flags % 4)}
		}
		factType := []eip.Type{"", eip.TypeCommon, eip.TypeAnycast}[int(distinctZones)%3]
		for i, z := range s.ZoneMappings {
			if i == n-1 && n > 2 {
				continue // one vSwitch and one EIP missing from the facts
			}
			status := network.StatusAvailable
			if flags&8 != 0 {
				status = "Pending"
			}
			facts.VSwitches[z.VSwitchID] = network.VSwitch{
				ID: z.VSwitchID, VPCID: vpcID, ZoneID: z.ZoneID, CIDR: prefix,
				IPv6Enabled: flags&16 != 0, IPv6CIDR: netip.MustParsePrefix("2408:4000::/64"),
				AvailableIPs: avail, Status: status,
			}
			a := eip.Address{AllocationID: z.AllocationID, ChargeType: eip.ChargePostPaid, InternetChargeType: eip.PayByTraffic,
				Type: factType, Status: eip.StatusAvailable}
			if flags&32 != 0 {
				a.ChargeType = eip.ChargePrePaid
			}
			if flags&64 != 0 {
				a.Status, a.InstanceID = eip.StatusInUse, "i-"+name
			}
			facts.EIPs[z.AllocationID] = a
		}

		var opts []alb.ValidateOption
		if facts.SingleZoneRegion {
			opts = append(opts, alb.SingleZoneRegion())
		}
		specErr := s.Validate(opts...)
		factErr := s.ValidateFacts(facts)
		specVE := checkWellFormed(t, specErr, ids)
		factVE := checkWellFormed(t, factErr, ids)

		// ValidateFacts runs every spec-level rule too.
		if specVE != nil {
			if factVE == nil {
				t.Fatalf("Validate found %v but ValidateFacts found nothing", specErr)
			}
			for _, fe := range specVE.Errors {
				if !factVE.Has(fe.Field, fe.Rule) {
					t.Fatalf("ValidateFacts lacks the spec-level violation %v", fe)
				}
			}
		}
		// Deterministic.
		if again := s.Validate(opts...); errString(again) != errString(specErr) {
			t.Fatalf("Validate is not deterministic:\n%v\n%v", specErr, again)
		}
		if again := s.ValidateFacts(facts); errString(again) != errString(factErr) {
			t.Fatalf("ValidateFacts is not deterministic:\n%v\n%v", factErr, again)
		}
	})
}

func checkWellFormed(t *testing.T, err error, ids map[string]bool) *alb.ValidationError {
	t.Helper()
	if err == nil {
		return nil
	}
	if !errors.Is(err, alb.ErrInvalidSpec) {
		t.Fatalf("errors.Is(err, ErrInvalidSpec) = false for %v", err)
	}
	var ve *alb.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("not a *ValidationError: %T %v", err, err)
	}
	if len(ve.Errors) == 0 {
		t.Fatal("a *ValidationError without violations")
	}
	for _, fe := range ve.Errors {
		if fe == nil || fe.Field == "" || fe.Message == "" {
			t.Fatalf("malformed violation %#v", fe)
		}
		if !ids[fe.Rule] {
			t.Fatalf("rule %q of %s is not listed in Rules(): %v", fe.Rule, fe.Field, fe)
		}
	}
	return ve
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
