package albtest

import (
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// ErrNotFound is returned (wrapped) by control methods given an unknown ID.
var ErrNotFound = errors.New("albtest: not found")

// Request is one entry of the request log. Params holds the business
// parameters (first value of each); signatures, security tokens, nonces and
// the other common parameters are left out.
type Request struct {
	Time        time.Time         // when the request arrived, by the server clock
	Action      string            // the API action, e.g. CreateLoadBalancer
	Version     string            // the API version, e.g. 2020-06-16
	AccessKeyID string            // the caller's access key ID
	RequestID   string            // the RequestId answered
	Params      map[string]string // business parameters, first value of each
	// Status is the HTTP status answered (0 when the connection was dropped).
	Status int
	// Code is the error code answered, "" on success.
	Code string
}

// Requests returns a copy of the request log, oldest first. It includes every
// request whose answer has been sent: a small answer goes out before its
// request is recorded, and Requests, Count, Calls and TotalCalls wait for
// those records.
func (s *Server) Requests() []Request {
	s.lockLog()
	defer s.logMu.Unlock()
	out := make([]Request, len(s.log))
	for i := range s.log {
		out[i] = s.log[i].request()
	}
	return out
}

// Count returns how many requests named action have been received
// (whatever their outcome). Requests naming an action the emulator does not
// serve are counted under their name for the first 1024 distinct names and
// under "" beyond, so the counters stay bounded.
func (s *Server) Count(action string) int {
	s.lockLog()
	defer s.logMu.Unlock()
	return s.counts[action]
}

// Calls returns the number of requests received per action.
func (s *Server) Calls() map[string]int {
	s.lockLog()
	defer s.logMu.Unlock()
	m := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		m[k] = v
	}
	return m
}

// TotalCalls returns the number of requests received.
func (s *Server) TotalCalls() int {
	s.lockLog()
	defer s.logMu.Unlock()
	n := 0
	for _, v := range s.counts {
		n += v
	}
	return n
}

// ZoneMapping is a zone of a LoadBalancer snapshot.
type ZoneMapping struct {
	ZoneID          string   // zone ID
	VSwitchID       string   // vSwitch the instance takes addresses from
	IntranetAddress string   // the VIP
	LocalAddresses  []string // the two local (back-end) IPv4 addresses
	Ipv6Address     string   // "" unless DualStack
	// Address is the public address of an Internet instance (its EIP).
	Address      string
	AllocationID string // the EIP's allocation ID; "" for Intranet
	EIPType      string // Common | Anycast; "" for Intranet
	// AutoEIP reports that the EIP was assigned by the service.
	AutoEIP bool
}

// LoadBalancer is a snapshot of an emulated ALB instance.
type LoadBalancer struct {
	ID                     string            // LoadBalancerId
	Name                   string            // LoadBalancerName
	Status                 string            // Provisioning | Active | Configuring | CreateFailed | Inactive | Deleting | Deleted
	BusinessStatus         string            // Normal | Abnormal (see SetBusinessStatus)
	VpcID                  string            // VPC of the instance
	AddressType            string            // Internet | Intranet
	AddressIPVersion       string            // IPv4 | DualStack
	Edition                string            // Basic | Standard | StandardWithWaf
	BandwidthPackageID     string            // attached shared bandwidth package, "" for none
	ResourceGroupID        string            // resource group (default rg-albtest-default)
	DNSName                string            // <id>.<region>.alb.aliyuncs.com
	CreateTime             time.Time         // creation time, by the server clock
	DeletionProtection     bool              // deletion protection enabled
	ModificationProtection string            // NonProtection | ConsoleProtection
	Zones                  []ZoneMapping     // one per zone
	Tags                   map[string]string // tags by key
	Locks                  []OperationLock   // operation locks (see SetBusinessStatus)
	ClientToken            string            // ClientToken of the create request, "" if none
	Ipv6AddressType        string            // Intranet | Internet for DualStack, "" for IPv4
	AccessLogProject       string            // access log SLS project, "" when disabled
	AccessLogStore         string            // access log SLS logstore, "" when disabled
	Forbidden              bool              // see SetForbidden
	// Deleted reports that the instance has been released; DeletedTime says when.
	Deleted     bool
	DeletedTime time.Time // when it was released; zero unless Deleted
}

func (s *Server) snapshot(lb *lbState) LoadBalancer {
	out := LoadBalancer{
		ID: lb.id, Name: lb.name, Status: lb.status, BusinessStatus: lb.bizStatus, VpcID: lb.vpcID,
		AddressType: lb.addressType, AddressIPVersion: lb.ipVersion, Edition: lb.edition,
		BandwidthPackageID: lb.bwpID, ResourceGroupID: lb.resourceGroup,
		DNSName: lb.id + "." + s.st.region + ".alb.aliyuncs.com", CreateTime: lb.created,
		DeletionProtection: lb.delProt, ModificationProtection: lb.modStatus,
		Tags: map[string]string{}, Locks: append([]OperationLock(nil), lb.locks...),
		ClientToken: lb.token, Deleted: lb.deleted, DeletedTime: lb.deletedAt,
		Ipv6AddressType: lb.ipv6Type, AccessLogProject: lb.logProject, AccessLogStore: lb.logStore, Forbidden: lb.forbidden,
	}
	for _, t := range lb.tags {
		out.Tags[t.k] = t.v
	}
	for _, z := range lb.zones {
		zm := ZoneMapping{ZoneID: z.zoneID, VSwitchID: z.vswID, IntranetAddress: z.vip.String(),
			Address: z.eipAddr, AllocationID: z.eipID, EIPType: z.eipType, AutoEIP: z.autoEIP}
		if lb.addressType != "Internet" {
			zm.Address = zm.IntranetAddress
		}
		for _, a := range z.local {
			zm.LocalAddresses = append(zm.LocalAddresses, a.String())
		}
		if z.ipv6.IsValid() {
			zm.Ipv6Address = z.ipv6.String()
		}
		out.Zones = append(out.Zones, zm)
	}
	return out
}

// LoadBalancers returns a snapshot of every live instance and of the last
// released ones (Deleted set; at most WithReleasedHistoryLimit of them, the
// oldest released forgotten first), in creation order. Due transitions are
// applied first; reading does not count as a poll.
func (s *Server) LoadBalancers() []LoadBalancer {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	out := make([]LoadBalancer, 0, len(s.st.history))
	for _, lb := range s.st.history {
		s.settle(&lb.resource, now, false)
		out = append(out, s.snapshot(lb))
	}
	return out
}

// LoadBalancer returns a snapshot of one instance, live or released; false
// for an unknown ID and for a released instance forgotten since (see
// WithReleasedHistoryLimit).
func (s *Server) LoadBalancer(id string) (LoadBalancer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lb := s.st.lbs[id] // live ones by ID; released ones only in the history
	for i := 0; lb == nil && i < len(s.st.history); i++ {
		if s.st.history[i].id == id {
			lb = s.st.history[i]
		}
	}
	if lb == nil {
		return LoadBalancer{}, false
	}
	s.settle(&lb.resource, s.clock.Now(), false)
	return s.snapshot(lb), true
}

// Created returns the number of instances created since the start (or the
// last Reset), released ones included (forgotten ones too, see
// WithReleasedHistoryLimit).
func (s *Server) Created() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.created
}

// Live returns the number of instances that exist now (not yet released).
func (s *Server) Live() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleAll()
	return s.st.liveCount()
}

// EIPs returns the EIPs that exist now, auto-assigned ones included.
func (s *Server) EIPs() []EIP {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleAll()
	out := make([]EIP, 0, len(s.st.eipOrder))
	for _, id := range s.st.eipOrder {
		out = append(out, s.st.eips[id].EIP)
	}
	return out
}

// VSwitchInfo is a vSwitch with its current number of free addresses.
type VSwitchInfo struct {
	VSwitch                     // as seeded or added
	AvailableIPAddressCount int // free addresses now, as DescribeVSwitches reports them
}

// VSwitches returns the vSwitches with their free address counts.
func (s *Server) VSwitches() []VSwitchInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleAll()
	out := make([]VSwitchInfo, 0, len(s.st.vswOrder))
	for _, id := range s.st.vswOrder {
		v := s.st.vsw[id]
		out = append(out, VSwitchInfo{VSwitch: v.VSwitch, AvailableIPAddressCount: v.available()})
	}
	return out
}

// AddVSwitch adds a vSwitch at runtime. Its VPC must exist (add one with
// AddVPC first).
func (s *Server) AddVSwitch(vs VSwitch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.vsw[vs.VSwitchID] != nil {
		return fmt.Errorf("albtest: AddVSwitch: %s already exists", vs.VSwitchID)
	}
	w := World{VPCs: []VPC{}, VSwitches: []VSwitch{vs}}
	for _, v := range s.st.vpcs {
		w.VPCs = append(w.VPCs, *v)
	}
	if err := w.Validate(); err != nil {
		return err
	}
	return s.st.addVSwitch(vs)
}

// AddVPC adds a VPC at runtime.
func (s *Server) AddVPC(v VPC) error {
	if _, err := netip.ParsePrefix(v.CidrBlock); err != nil || v.VpcID == "" {
		return fmt.Errorf("albtest: AddVPC: bad VPC %q / %q", v.VpcID, v.CidrBlock)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.vpcs[v.VpcID] != nil {
		return fmt.Errorf("albtest: AddVPC: %s already exists", v.VpcID)
	}
	s.st.vpcs[v.VpcID] = &v
	return nil
}

// AddEIP adds an EIP at runtime (Status defaults to Available, Type to
// Common).
func (s *Server) AddEIP(e EIP) error {
	if e.AllocationID == "" {
		return fmt.Errorf("albtest: AddEIP: empty AllocationID")
	}
	if _, err := netip.ParseAddr(e.IPAddress); err != nil {
		return fmt.Errorf("albtest: AddEIP: bad IPAddress %q", e.IPAddress)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.eips[e.AllocationID] != nil {
		return fmt.Errorf("albtest: AddEIP: %s already exists", e.AllocationID)
	}
	s.st.addEIP(e)
	return nil
}

// SetServiceLinkedRole creates (true) or deletes (false) the
// AliyunServiceRoleForAlb role.
func (s *Server) SetServiceLinkedRole(present bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !present {
		s.st.role = nil
	} else if s.st.role == nil {
		s.st.role = &roleState{id: "300800000000000001", created: s.clock.Now()}
	}
}

// SetQuota changes the per-region instance quota.
func (s *Server) SetQuota(n int) {
	s.mu.Lock()
	s.st.quota = n
	s.mu.Unlock()
}

// SetWAF replaces the WAF instances (nil for none).
func (s *Server) SetWAF(v3 *WAF3Instance, v2 *WAF2Instance) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.waf3, s.st.waf2 = nil, nil
	if v3 != nil {
		x := *v3
		s.st.waf3 = &x
	}
	if v2 != nil {
		x := *v2
		s.st.waf2 = &x
	}
}

// Advance completes the pending transition of a resource (given its ID,
// for example an instance) or of the resource a job belongs to (given the
// job ID), whatever its Transition. It returns an error wrapping
// ErrNotFound for an unknown ID and reports false when nothing was pending.
func (s *Server) Advance(id string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.st.tracked[id]
	if r == nil {
		if j := s.st.jobs[id]; j != nil {
			r = s.st.tracked[j.resourceID]
			if r == nil || r.pending == nil || r.pending.jobID != id {
				return false, nil
			}
		}
	}
	if r == nil {
		return false, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if r.pending == nil {
		return false, nil
	}
	s.complete(r, s.clock.Now())
	return true, nil
}

// AdvanceAll completes every pending transition and returns how many there
// were.
func (s *Server) AdvanceAll() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	rs := s.st.trackedInOrder()
	for _, r := range rs {
		s.complete(r, now)
	}
	return len(rs)
}

// FailNextCreate makes the next successful CreateLoadBalancer end in
// CreateFailed instead of Active (its job ends Failed). Calls add up.
func (s *Server) FailNextCreate() {
	s.ctlMu.Lock()
	s.failNext++
	s.ctlMu.Unlock()
}

// SetBusinessStatus sets an instance's business status ("Normal" or
// "Abnormal") and operation locks. With "Abnormal", writes fail with
// IncorrectBusinessStatus.LoadBalancer.
func (s *Server) SetBusinessStatus(id, status string, locks ...OperationLock) error {
	if status != "Normal" && status != "Abnormal" {
		return fmt.Errorf("albtest: SetBusinessStatus: status must be Normal or Abnormal, not %q", status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	lb := s.st.lbs[id]
	if lb == nil {
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	lb.bizStatus = status
	lb.locks = append([]OperationLock(nil), locks...)
	return nil
}

// SetLoadBalancerStatus forces an instance's status (for example
// "Inactive"), dropping any pending transition.
func (s *Server) SetLoadBalancerStatus(id, status string) error {
	switch status {
	case "Active", "Inactive", "Provisioning", "Configuring", "CreateFailed":
	default:
		return fmt.Errorf("albtest: SetLoadBalancerStatus: unsupported status %q", status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	lb := s.st.lbs[id]
	if lb == nil {
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	lb.pending = nil
	lb.status = status
	return nil
}
