package albtest

import (
	"maps"
	"net/netip"
	"sync"
	"time"
)

// stateMu guards Server.st. Every Lock starts a new generation of the state:
// what was derived from the state under an older generation (the encoded
// GetLoadBalancerAttribute answers, see attrCache) is stale from then on.
// Nothing has to remember to invalidate it: whatever changes the state holds
// the lock. lockRead takes the lock without starting a generation, for a read
// that changes nothing (it must call bump before changing anything).
//
// Unlock tells the data plane (onChange) about every new generation, so
// that listeners open and close when their changes complete and traffic
// sees a change only once it is made (dataplane.go).
type stateMu struct {
	sync.Mutex
	gen      uint64 // guarded by the mutex
	notified uint64 // the last generation onChange was told about
	// onChange runs under the lock when the generation changed since it
	// last ran; the function it returns (if any) runs once the lock is
	// released. Set once, before the server is used.
	onChange func(gen uint64) (after func())
}

// Unlock unlocks, telling onChange about a new generation first.
func (m *stateMu) Unlock() {
	var after func()
	if m.gen != m.notified && m.onChange != nil {
		m.notified = m.gen
		after = m.onChange(m.gen)
	}
	m.Mutex.Unlock()
	if after != nil {
		after()
	}
}

// Lock locks and starts a new generation.
func (m *stateMu) Lock() {
	m.Mutex.Lock()
	m.gen++
}

// lockRead locks without starting a generation.
func (m *stateMu) lockRead() { m.Mutex.Lock() }

// bump starts a new generation; the mutex is held.
func (m *stateMu) bump() { m.gen++ }

// state is the mutable world, guarded by Server.mu.
type state struct {
	region    string
	world     World
	regions   []Region
	zones     []Zone
	vpcs      map[string]*VPC
	vsw       map[string]*vswState
	vswOrder  []string
	eips      map[string]*eipState
	eipOrder  []string
	cbwps     map[string]*BandwidthPackage
	cbwOrder  []string
	lbs       map[string]*lbState
	lbOrder   []string
	history   []*lbState      // the live instances and the last released ones, in creation order (see WithReleasedHistoryLimit)
	created   int             // instances ever created
	released  int             // released instances in history
	jobs      map[string]*job // job history, bounded (see WithJobHistoryLimit)
	jobOrder  []string
	finished  int                  // finished jobs in jobs
	tracked   map[string]*resource // resources with transitions, by ID
	tokens    tokens               // ClientTokens, bounded (see WithClientTokenLimit)
	role      *roleState
	quota     int
	waf3      *WAF3Instance
	waf2      *WAF2Instance
	ipSeq     uint32 // public addresses for auto-assigned EIPs
	started   time.Time
	delTasks  map[string]*deletionTask   // service-linked role deletion tasks
	backends  map[string]*backendFact    // ECS instances, ENIs and ECI container groups by ID (world_backends.go)
	sgs       map[string]*sgState        // live server groups by ID (alb_servergroup.go)
	sgOrder   []string                   // live server groups in creation order
	sgQuota   int                        // server groups allowed in the region
	hcts      map[string]*hctState       // health check templates by ID (alb_healthchecktemplate.go)
	hctOrder  []string                   // health check templates in creation order
	certs     map[string]*Certificate    // the world's certificates by ID (alb_certificate.go)
	certOrder []string                   // certificates in the order they were added
	lsns      map[string]*lsnState       // live listeners by ID (alb_listener.go)
	lsnOrder  []string                   // live listeners in creation order
	rules     map[string]*ruleState      // live forwarding rules by ID (alb_rule.go)
	ruleOrder []string                   // live rules in creation order
	sps       map[string]*spState        // custom security policies by ID (alb_securitypolicy.go)
	spOrder   []string                   // custom security policies in creation order
	lbQuotas  map[string]InstanceQuotas  // per-instance quotas by edition (alb_listener.go)
	health    map[healthKey]ServerHealth // backend server health set by SetServerHealth (alb_listener_health.go)
	addrs     map[string]string          // backend addresses: private IP:port → local address (dataplane_backends.go)
}

type roleState struct {
	id      string
	created time.Time
}

type vswState struct {
	VSwitch
	prefix   netip.Prefix
	prefix6  netip.Prefix
	used     map[netip.Addr]string // address → owner ("" for OccupiedIPs)
	next6    uint64
	creation time.Time
}

type eipState struct {
	EIP
	allocated time.Time
	auto      bool // assigned by ALB
}

// OperationLock is an operation lock on an instance (see
// Server.SetBusinessStatus).
type OperationLock struct {
	LockType   string // SecurityLocked | RelatedResourceLocked | FinancialLocked | ResidualLocked
	LockReason string // why the lock is set
}

func newState(w World) *state {
	st := &state{
		region:   w.Region,
		world:    w,
		regions:  append([]Region(nil), w.Regions...),
		zones:    append([]Zone(nil), w.Zones...),
		vpcs:     map[string]*VPC{},
		vsw:      map[string]*vswState{},
		eips:     map[string]*eipState{},
		cbwps:    map[string]*BandwidthPackage{},
		lbs:      map[string]*lbState{},
		jobs:     map[string]*job{},
		tracked:  map[string]*resource{},
		delTasks: map[string]*deletionTask{},
		backends: map[string]*backendFact{},
		sgs:      map[string]*sgState{},
		hcts:     map[string]*hctState{},
		certs:    map[string]*Certificate{},
		lsns:     map[string]*lsnState{},
		rules:    map[string]*ruleState{},
		sps:      map[string]*spState{},
		health:   map[healthKey]ServerHealth{},
		lbQuotas: map[string]InstanceQuotas{},
		tokens:   newTokens(),
		quota:    w.Quota,
		sgQuota:  w.ServerGroupQuota,
		started:  time.Date(2024, 7, 1, 8, 0, 0, 0, time.UTC),
	}
	for i := range w.VPCs {
		v := w.VPCs[i]
		st.vpcs[v.VpcID] = &v
	}
	for _, vs := range w.VSwitches {
		_ = st.addVSwitch(vs)
	}
	for _, e := range w.EIPs {
		st.addEIP(e)
	}
	for i := range w.BandwidthPackages {
		b := w.BandwidthPackages[i]
		if b.Status == "" {
			b.Status = "Available"
		}
		if b.BusinessStatus == "" {
			b.BusinessStatus = "Normal"
		}
		st.cbwps[b.BandwidthPackageID] = &b
		st.cbwOrder = append(st.cbwOrder, b.BandwidthPackageID)
	}
	if w.ServiceLinkedRole {
		st.role = &roleState{id: "300800000000000001", created: st.started}
	}
	if w.WAF3 != nil {
		x := *w.WAF3
		st.waf3 = &x
	}
	if w.WAF2 != nil {
		x := *w.WAF2
		st.waf2 = &x
	}
	for _, c := range w.Certificates {
		st.addCertificate(c)
	}
	for ed, q := range w.InstanceQuotas {
		st.lbQuotas[ed] = q
	}
	st.addrs = maps.Clone(w.BackendAddresses)
	if st.addrs == nil {
		st.addrs = map[string]string{}
	}
	for _, k := range w.backendKinds() {
		for _, b := range k.list {
			st.addBackend(k.typ, b)
		}
	}
	return st
}

func (st *state) addVSwitch(vs VSwitch) error {
	p, err := netip.ParsePrefix(vs.CidrBlock)
	if err != nil {
		return err
	}
	p = p.Masked()
	v := &vswState{VSwitch: vs, prefix: p, used: map[netip.Addr]string{}, next6: 1, creation: st.started}
	if vs.Ipv6CidrBlock != "" {
		p6, err := netip.ParsePrefix(vs.Ipv6CidrBlock)
		if err != nil {
			return err
		}
		v.prefix6 = p6.Masked()
	}
	// Mark OccupiedIPs addresses from the top of the usable range as taken
	// by other resources.
	n := vs.OccupiedIPs
	last := lastAddr(p)
	a := last
	for i := 0; i < 3; i++ {
		a = a.Prev()
	}
	for n > 0 && a.IsValid() && p.Contains(a) && a != p.Addr() {
		v.used[a] = ""
		a = a.Prev()
		n--
	}
	st.vsw[vs.VSwitchID] = v
	st.vswOrder = append(st.vswOrder, vs.VSwitchID)
	return nil
}

func (st *state) addEIP(e EIP) {
	if e.Status == "" {
		e.Status = "Available"
	}
	if e.Type == "" {
		e.Type = EIPTypeCommon
	}
	if e.ISP == "" {
		e.ISP = "BGP"
	}
	if e.Bandwidth == "" {
		e.Bandwidth = "5"
	}
	st.eips[e.AllocationID] = &eipState{EIP: e, allocated: st.started}
	st.eipOrder = append(st.eipOrder, e.AllocationID)
}

func (st *state) removeEIP(id string) {
	delete(st.eips, id)
	for i, x := range st.eipOrder {
		if x == id {
			st.eipOrder = append(st.eipOrder[:i], st.eipOrder[i+1:]...)
			break
		}
	}
}

func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Addr().As4()
	bits := p.Bits()
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	if bits < 32 {
		v |= 1<<(32-bits) - 1
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// reserved reports whether a is one of the first or the last three
// addresses of the vSwitch block.
func (v *vswState) reserved(a netip.Addr) bool {
	if a == v.prefix.Addr() {
		return true
	}
	l := lastAddr(v.prefix)
	for i := 0; i < 3; i++ {
		if a == l {
			return true
		}
		l = l.Prev()
	}
	return false
}

func (v *vswState) available() int {
	n := usableIPv4(v.prefix) - len(v.used)
	if n < 0 {
		return 0
	}
	return n
}

// allocate takes n free addresses, lowest first.
func (v *vswState) allocate(n int, owner string) []netip.Addr {
	var out []netip.Addr
	for a := v.prefix.Addr().Next(); v.prefix.Contains(a) && len(out) < n; a = a.Next() {
		if v.reserved(a) {
			continue
		}
		if _, taken := v.used[a]; taken {
			continue
		}
		out = append(out, a)
	}
	for _, a := range out {
		v.used[a] = owner
	}
	return out
}

func (v *vswState) allocate6() netip.Addr {
	if !v.prefix6.IsValid() {
		return netip.Addr{}
	}
	b := v.prefix6.Addr().As16()
	n := v.next6
	v.next6++
	for i := 15; i >= 8 && n > 0; i-- {
		b[i] = byte(n)
		n >>= 8
	}
	return netip.AddrFrom16(b)
}

func (st *state) liveCount() int {
	n := 0
	for _, lb := range st.lbs {
		if !lb.deleted {
			n++
		}
	}
	return n
}
