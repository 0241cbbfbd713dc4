package alb_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	albsdk "github.com/alibabacloud-go/alb-20200616/v2/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/albkit/albkit/alb"
)

// applyOnEmulator applies plan p to group id through the SDK, with the
// requests albkit builds, each membership change in calls of the per-call
// limits, in the plan's order.
func (e *sgEnv) applyOnEmulator(t testing.TB, p *alb.ServerGroupPlan) {
	t.Helper()
	must := func(action string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v\nplan:\n%s", action, err, p)
		}
	}
	if r := p.UpdateAttributeRequestForTest("", false); r != nil {
		_, err := e.sdk.UpdateServerGroupAttribute(r)
		must("UpdateServerGroupAttribute", err)
	}
	if len(p.RemoveTagKeys) > 0 {
		_, err := e.sdk.UnTagResources(&albsdk.UnTagResourcesRequest{ResourceType: tea.String("servergroup"), ResourceId: []*string{tea.String(p.ID)},
			TagKey: tea.StringSlice(p.RemoveTagKeys)})
		must("UnTagResources", err)
	}
	if len(p.AddTags) > 0 {
		req := &albsdk.TagResourcesRequest{ResourceType: tea.String("servergroup"), ResourceId: []*string{tea.String(p.ID)}}
		for _, tg := range p.AddTags {
			req.Tag = append(req.Tag, &albsdk.TagResourcesRequestTag{Key: tea.String(tg.Key), Value: tea.String(tg.Value)})
		}
		_, err := e.sdk.TagResources(req)
		must("TagResources", err)
	}
	if p.ResourceGroupID != "" {
		_, err := e.sdk.MoveResourceGroup(&albsdk.MoveResourceGroupRequest{ResourceType: tea.String("servergroup"), ResourceId: tea.String(p.ID),
			NewResourceGroupId: tea.String(p.ResourceGroupID)})
		must("MoveResourceGroup", err)
	}
	for i := 0; i < len(p.AddServers); i += alb.MaxServersPerCall {
		_, err := e.sdk.AddServersToServerGroup(alb.AddServersRequestForTest(p.ID, p.AddServers[i:min(i+alb.MaxServersPerCall, len(p.AddServers))], "", false))
		must("AddServersToServerGroup", err)
	}
	var tos []alb.Server
	for _, u := range p.UpdateServers {
		tos = append(tos, u.To)
	}
	for i := 0; i < len(tos); i += alb.MaxServersPerAttributeCall {
		_, err := e.sdk.UpdateServerGroupServersAttribute(alb.UpdateServersRequestForTest(p.ID, tos[i:min(i+alb.MaxServersPerAttributeCall, len(tos))], "", false))
		must("UpdateServerGroupServersAttribute", err)
	}
	var gone []alb.Server
	for _, b := range p.RemoveServers {
		gone = append(gone, b.Server)
	}
	for i := 0; i < len(gone); i += alb.MaxServersPerCall {
		_, err := e.sdk.RemoveServersFromServerGroup(alb.RemoveServersRequestForTest(p.ID, gone[i:min(i+alb.MaxServersPerCall, len(gone))], "", false))
		must("RemoveServersFromServerGroup", err)
	}
}

// TestServerGroupPlanConvergesOnTheEmulator is the converge property
// through the wire: a group created from a random valid spec (with members
// someone else added), a plan to another spec, applied through the SDK
// against the emulator; the group read back diffs empty (what cannot
// change in place aside), Owned and Shared semantics hold, the plan asked
// for no change twice, and the simulation of the pure property test
// (TestServerGroupPlanConverges) ends in the same state.
func TestServerGroupPlanConvergesOnTheEmulator(t *testing.T) {
	e := newSGEnv(t)
	rng := rand.New(rand.NewPCG(18, 18))
	pairs := 0
	for attempt := 0; pairs < 80 && attempt < 1000; attempt++ {
		a := genValidSGSpec(rng)
		b := mutateSGSpec(rng, a)
		if b.Validate() != nil {
			continue
		}
		o := e.run(t, a, true)
		if o.code != "OK" {
			continue // a live fact of the world
		}
		pairs++
		id := o.group.ID
		sim := simCreate(a)
		if extras := extraMembers(rng, a); len(extras) > 0 {
			_, err := e.sdk.AddServersToServerGroup(alb.AddServersRequestForTest(id, extras, "", false))
			if err != nil {
				t.Fatalf("adding the extra members: %v", err)
			}
			for _, x := range extras {
				sim.add(x)
			}
		}
		g, before := e.read(t, id)
		p := alb.DiffServerGroup(b, g, before)
		if p.ID != id || p.Create {
			t.Fatalf("plan %s for group %s", p, id)
		}
		// Only what differs: no change lists equal values, no server is
		// both added and removed.
		for _, c := range p.Attributes {
			if c.From == c.To {
				t.Errorf("pair %d: change without a difference %v", pairs, c)
			}
		}
		for _, s := range p.AddServers {
			for _, r := range p.RemoveServers {
				if matchesMember(s, r) {
					t.Errorf("pair %d: %s is added and removed", pairs, s)
				}
			}
		}
		e.applyOnEmulator(t, p)
		sim.g.ID = id
		sim.apply(t, p)
		g2, after := e.read(t, id)
		again := alb.DiffServerGroup(b, g2, after)
		if again.Writes() || !sameBlocked(p.Blocked, again.Blocked) {
			t.Fatalf("pair %d: after applying\n%s\nthe diff is\n%s\nspec: %#v\nfrom: %#v", pairs, p, again, b, a)
		}
		checkMembership(t, b, before, after)
		if got, want := normalizedForCompare(*g2, after), normalizedForCompare(sim.g, sim.servers); got != want {
			t.Errorf("pair %d: the emulator reports\n%s\nthe simulation\n%s\nplan:\n%s", pairs, got, want, p)
		}
		userTagsOf := func(g *alb.ServerGroup) []alb.Tag {
			return alb.SpecFromServerGroup(g, nil).Tags
		}
		if len(b.Tags) > 0 && !slices.Equal(sortTags(userTagsOf(g2)), sortTags(b.Tags)) {
			t.Errorf("pair %d: tags %v, want %v", pairs, userTagsOf(g2), b.Tags)
		}
		e.delete(t, id)
	}
	if pairs < 80 {
		t.Errorf("only %d pairs ran", pairs)
	}
}

func sortTags(tags []alb.Tag) []alb.Tag {
	out := slices.Clone(tags)
	slices.SortFunc(out, func(a, b alb.Tag) int {
		if a.Key != b.Key {
			if a.Key < b.Key {
				return -1
			}
			return 1
		}
		return 0
	})
	return out
}
