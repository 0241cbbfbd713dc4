package eip

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func rules(t *testing.T, errs []error) []string {
	t.Helper()
	var out []string
	for _, err := range errs {
		var v *Violation
		if !errors.As(err, &v) {
			t.Fatalf("error %v is not a *Violation", err)
		}
		if v.Message == "" {
			t.Fatalf("violation %q has an empty message", v.Rule)
		}
		out = append(out, v.Rule)
	}
	return out
}

func good() Address {
	return Address{
		AllocationID:       "eip-good",
		IPAddress:          "47.0.0.1",
		ChargeType:         ChargePostPaid,
		InternetChargeType: PayByTraffic,
		Type:               TypeCommon,
		Status:             StatusAvailable,
	}
}

func TestCheckEligible(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Address)
		want []string
	}{
		{"eligible common", nil, nil},
		{"eligible anycast", func(a *Address) { a.Type = TypeAnycast }, nil},
		{"eligible empty type", func(a *Address) { a.Type = "" }, nil},
		{"subscription", func(a *Address) { a.ChargeType = ChargePrePaid }, []string{RulePayAsYouGo}},
		{"empty charge type", func(a *Address) { a.ChargeType = "" }, []string{RulePayAsYouGo}},
		{"pay by bandwidth", func(a *Address) { a.InternetChargeType = PayByBandwidth }, []string{RulePayByTraffic}},
		{"shared bandwidth", func(a *Address) { a.BandwidthPackageID = "cbwp-1" }, []string{RuleNoSharedBandwidth}},
		{"in use", func(a *Address) { a.Status, a.InstanceID, a.InstanceType = StatusInUse, "i-1", "EcsInstance" }, []string{RuleAvailable}},
		{"associating", func(a *Address) { a.Status = StatusAssociating }, []string{RuleAvailable}},
		{"unassociating", func(a *Address) { a.Status = StatusUnassociating }, []string{RuleAvailable}},
		{"releasing", func(a *Address) { a.Status = StatusReleasing }, []string{RuleAvailable}},
		{"available but bound", func(a *Address) { a.InstanceID = "alb-x" }, []string{RuleAvailable}},
		{"bad type", func(a *Address) { a.Type = "BGP" }, []string{RuleEIPTypeValid}},
		{"everything wrong", func(a *Address) {
			*a = Address{AllocationID: "eip-bad", ChargeType: ChargePrePaid, InternetChargeType: PayByBandwidth, BandwidthPackageID: "cbwp-2", Type: "x", Status: StatusInUse, InstanceID: "i-2"}
		}, []string{RulePayAsYouGo, RulePayByTraffic, RuleNoSharedBandwidth, RuleAvailable, RuleEIPTypeValid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := good()
			if tt.mod != nil {
				tt.mod(&a)
			}
			errs := CheckEligible(a)
			if got := rules(t, errs); !slices.Equal(got, tt.want) {
				t.Errorf("rules = %v, want %v", got, tt.want)
			}
			if tt.want == nil && errs != nil {
				t.Errorf("want nil slice, got %#v", errs)
			}
			for _, err := range errs {
				if !strings.Contains(err.Error(), a.AllocationID) {
					t.Errorf("message %q does not name %s", err, a.AllocationID)
				}
			}
		})
	}
}

func TestCheckEligibleNamesAssociation(t *testing.T) {
	a := good()
	a.Status, a.InstanceID, a.InstanceType = StatusInUse, "i-123", "EcsInstance"
	errs := CheckEligible(a)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "EcsInstance i-123") {
		t.Fatalf("errs = %v, want one naming EcsInstance i-123", errs)
	}
}

func TestTypeValid(t *testing.T) {
	for _, tt := range []struct {
		t    Type
		want bool
	}{{TypeCommon, true}, {TypeAnycast, true}, {"", false}, {"common", false}, {"BGP", false}} {
		if got := tt.t.Valid(); got != tt.want {
			t.Errorf("Type(%q).Valid() = %v, want %v", tt.t, got, tt.want)
		}
	}
}

func TestCheckConsistentTypes(t *testing.T) {
	tests := []struct {
		name  string
		types []Type
		want  string // "" for nil; else substring of the message
	}{
		{"nil", nil, ""},
		{"one", []Type{TypeAnycast}, ""},
		{"all common", []Type{TypeCommon, TypeCommon, TypeCommon}, ""},
		{"all anycast", []Type{TypeAnycast, TypeAnycast}, ""},
		{"empty counts as common", []Type{"", TypeCommon, ""}, ""},
		{"mixed", []Type{TypeCommon, TypeAnycast}, "(Anycast, Common)"},
		{"empty and anycast", []Type{"", TypeAnycast}, "(Anycast, Common)"},
		{"three kinds", []Type{TypeAnycast, "X", TypeCommon, TypeAnycast}, "(Anycast, Common, X)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckConsistentTypes(tt.types)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				return
			}
			var v *Violation
			if !errors.As(err, &v) || v.Rule != RuleConsistentType {
				t.Fatalf("err = %v, want a %s violation", err, RuleConsistentType)
			}
			if !strings.Contains(v.Message, tt.want) {
				t.Errorf("message %q does not contain %q", v.Message, tt.want)
			}
		})
	}
}

func TestCheckAddressType(t *testing.T) {
	for _, tt := range []struct {
		internet, anyEIP, wantErr bool
	}{{true, true, false}, {true, false, false}, {false, false, false}, {false, true, true}} {
		err := CheckAddressType(tt.internet, tt.anyEIP)
		if (err != nil) != tt.wantErr {
			t.Errorf("CheckAddressType(%v, %v) = %v, wantErr %v", tt.internet, tt.anyEIP, err, tt.wantErr)
		}
		var v *Violation
		if err != nil && (!errors.As(err, &v) || v.Rule != RuleInternetOnly) {
			t.Errorf("err = %v, want a %s violation", err, RuleInternetOnly)
		}
	}
}

func TestReleaseSideEffects(t *testing.T) {
	got := ReleaseSideEffects([]Address{
		{AllocationID: "eip-c", IPAddress: "1.1.1.3", Type: TypeAnycast, Status: StatusInUse},
		{AllocationID: "eip-a", IPAddress: "1.1.1.1", Status: StatusInUse},
		{AllocationID: "eip-b", IPAddress: "1.1.1.2", Type: TypeCommon},
		{AllocationID: "eip-a", IPAddress: "1.1.1.1"}, // duplicate
	})
	want := []ReleaseEffect{
		{AllocationID: "eip-a", IPAddress: "1.1.1.1", Type: TypeCommon, Action: ActionDisassociateAndRelease},
		{AllocationID: "eip-b", IPAddress: "1.1.1.2", Type: TypeCommon, Action: ActionDisassociateAndRelease},
		{AllocationID: "eip-c", IPAddress: "1.1.1.3", Type: TypeAnycast, Action: ActionDisassociateAndRelease},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ReleaseSideEffects = %+v, want %+v", got, want)
	}
	if got := ReleaseSideEffects(nil); got != nil {
		t.Errorf("ReleaseSideEffects(nil) = %v, want nil", got)
	}
	if ActionDisassociateAndRelease != "disassociate-and-release" {
		t.Errorf("action = %q", ActionDisassociateAndRelease)
	}
}

func TestViolationError(t *testing.T) {
	v := &Violation{Rule: RuleAvailable, Message: "EIP eip-1 is in use"}
	if got, want := v.Error(), "eip: eip-available: EIP eip-1 is in use"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
