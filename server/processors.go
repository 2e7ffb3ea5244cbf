package server

import (
	"context"
	"log/slog"
	"net"
	"os"
	"runtime"

	"github.com/chronos-db/chronos/consensus"
)

// processorShare is how many processors (GOMAXPROCS) a member gets when
// local of its cluster's members, itself included, run on a machine with
// procs processors: an equal share, at least one. Members that each ask
// for every processor of a shared machine keep waking threads that find
// no processor free: on two cores, three members of a cluster with two
// each spent more CPU per write on context switches and spinning
// scheduler threads than with one each (docs/decisions.md, "Members on
// one machine split its processors").
func processorShare(procs, local int) int {
	if local <= 1 {
		return procs
	}
	return max(1, procs/local)
}

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

// shareProcessors keeps GOMAXPROCS at processorShare of the processors
// the runtime started with, for the members of node's cluster on this
// machine, recomputing it whenever the membership changes, until ctx ends.
// An explicit GOMAXPROCS in the environment is left alone.
func shareProcessors(ctx context.Context, node *consensus.Node, log *slog.Logger) {
	if os.Getenv("GOMAXPROCS") != "" {
		return
	}
	procs := runtime.GOMAXPROCS(0)
	ips := machineIPs()
	current := procs
	for {
		members, changed := node.WatchMembers()
		local := localMembers(members, ips)
		if want := processorShare(procs, local); want != current {
			runtime.GOMAXPROCS(want)
			log.Info("processors set for the members on this machine", "gomaxprocs", want, "processors", procs, "members_here", local)
			current = want
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
	}
}
