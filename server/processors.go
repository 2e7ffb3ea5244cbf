package server

import (
	"context"
	"log/slog"
	"net"
	"os"
	"runtime"
	"time"

	"github.com/chronos-db/chronos/consensus"
)

// processorShare is how many processors (GOMAXPROCS) a member gets when
// local of its cluster's members, itself included, run on a machine with
// procs processors: an equal share, at least one, unless its clients only
// read. Members that each ask for every processor of a shared machine keep
// waking threads that find no processor free: on two cores, three members
// of a cluster with two each spent more CPU per write on context switches
// and spinning scheduler threads than with one each (docs/decisions.md,
// "Members on one machine split its processors"). A write crosses several
// goroutines of each member (the Ready loop, the log writer, the applier,
// gRPC's), and with more processors each crossing can wake a thread. A
// read is served by its client's session alone, so a member whose clients
// only read gets every processor for its sessions.
func processorShare(procs, local int, reading bool) int {
	if local <= 1 || reading {
		return procs
	}
	return max(1, procs/local)
}

// readingOnly reports whether a member whose clients made reads
// linearizable reads and proposals writes in one workloadInterval served
// reads only, as far as its processors go: at least minReads reads (a
// probe or a query now and then is no load), and under one write to a
// hundred of them.
func readingOnly(reads, proposals uint64) bool {
	return reads >= minReads && proposals*100 < reads
}

// minReads is the fewest reads in a workloadInterval that count as a
// read load: 1,000 a second.
const minReads = 250

// localMembers counts the members whose address is on this machine: a
// loopback address, "localhost", or one of ips (this machine's own). Host
// names other than localhost are not resolved, so members known by name
// count as elsewhere.
func localMembers(members []consensus.Member, ips []net.IP) int {
	n := 0
	for _, m := range members {
		if onThisMachine(m.Address, ips) {
			n++
		}
	}
	return n
}

// onThisMachine reports whether a member's HOST:PORT address is on this
// machine (see localMembers).
func onThisMachine(address string, ips []net.IP) bool {
	if isLoopback(address) {
		return true
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return false
	}
	for _, own := range ips {
		if own.Equal(ip) {
			return true
		}
	}
	return false
}

// machineIPs lists this machine's interface addresses.
func machineIPs() []net.IP {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var ips []net.IP
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			ips = append(ips, n.IP)
		}
	}
	return ips
}

// workloadInterval is how often shareProcessors looks at what the node's
// clients did.
const workloadInterval = 250 * time.Millisecond

// shareProcessors keeps GOMAXPROCS at processorShare of the processors
// the runtime started with, for the members of node's cluster on this
// machine and what its clients did in the last workloadInterval,
// recomputing it whenever either changes, until ctx ends. An explicit
// GOMAXPROCS in the environment is left alone.
func shareProcessors(ctx context.Context, node *consensus.Node, log *slog.Logger) {
	if os.Getenv("GOMAXPROCS") != "" {
		return
	}
	procs := runtime.GOMAXPROCS(0)
	ips := machineIPs()
	current := procs
	tick := time.NewTicker(workloadInterval)
	defer tick.Stop()
	members, changed := node.WatchMembers()
	lastReads, lastProposals := node.ClientLoad()
	reading := false
	for {
		local := localMembers(members, ips)
		if want := processorShare(procs, local, reading); want != current {
			runtime.GOMAXPROCS(want)
			log.Info("processors set for the members on this machine", "gomaxprocs", want, "processors", procs,
				"members_here", local, "reads_only", reading)
			current = want
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
			members, changed = node.WatchMembers()
		case <-tick.C:
			reads, proposals := node.ClientLoad()
			reading = readingOnly(reads-lastReads, proposals-lastProposals)
			lastReads, lastProposals = reads, proposals
		}
	}
}
