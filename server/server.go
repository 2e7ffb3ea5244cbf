package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/chronos-db/chronos/consensus"
	"github.com/chronos-db/chronos/engine"
	"github.com/chronos-db/chronos/pgwire"
	"google.golang.org/grpc"
)

// Server is one running Chronos node.
type Server struct {
	cfg  Config
	db   *engine.DB
	node *consensus.Node
	wire *pgwire.Server
	ln   net.Listener
	mux  *mux
	grpc *grpc.Server // the consensus peer service on the shared port

	ctx    context.Context // ends the sessions' contexts when the server closes
	cancel context.CancelFunc

	closeOnce sync.Once
	closeErr  error
	served    chan struct{} // closed when the accept loop has returned
}

// Start opens the node's data, starts consensus and begins serving. It
// returns once the node serves clients: the log is replayed and, for a node
// that bootstraps or rejoins, a leader is known.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger // the caller labels it (chronos node adds node=ID)
	adaptMemory := setMemory(cfg, log)
	if cfg.Clean {
		if err := os.RemoveAll(cfg.DataDir); err != nil {
			return nil, fmt.Errorf("server: clean %s: %w", cfg.DataDir, err)
		}
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}

	// Listen first so a port in use fails before anything is replayed, and
	// so that peers can reach the gRPC service while consensus starts.
	ln, err := net.Listen("tcp", cfg.Address)
	if err != nil {
		return nil, fmt.Errorf("server: listen on %s: %w", cfg.Address, err)
	}

	cluster := &clusterView{}
	db, err := engine.Open(filepath.Join(cfg.DataDir, "tables"), engine.Options{Logger: log, Cluster: cluster, Security: cfg.Security.engine()})
	if err != nil {
		ln.Close()
		return nil, err
	}

	wsec, err := startSecurity(&cfg, db, log)
	if err != nil {
		db.Close()
		ln.Close()
		return nil, err
	}
	peerServer, peerDial, err := cfg.Security.peerOptions()
	if err != nil {
		db.Close()
		ln.Close()
		return nil, err
	}

	node, err := consensus.Start(ctx, consensus.Config{
		Name:              cfg.ID,
		Address:           advertiseAddress(cfg.Address, ln.Addr()),
		Dir:               filepath.Join(cfg.DataDir, "raft"),
		Peers:             cfg.Peers,
		TickInterval:      cfg.TickInterval,
		ElectionTicks:     cfg.ElectionTicks,
		CheckpointEntries: cfg.CheckpointEntries,
		RequestTimeout:    cfg.RequestTimeout,
		Logger:            log,
		DialOptions:       peerDial,
	}, stateMachine{db})
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("server: %w", err)
	}
	db.SetLog(node)
	cluster.node.Store(node)

	sctx, cancel := context.WithCancel(context.Background())
	if adaptMemory {
		go adjustMemoryLimit(sctx, cfg.MemoryLimit, time.Second, log)
	}
	if cfg.ShareProcessors {
		go shareProcessors(sctx, node, log)
	}
	s := &Server{
		cfg:    cfg,
		db:     db,
		node:   node,
		ln:     ln,
		ctx:    sctx,
		cancel: cancel,
		served: make(chan struct{}),
		wire: &pgwire.Server{Engine: wireEngine{db}, Logger: log, Security: wsec,
			MaxMessageSize: cfg.Security.MaxMessageSize},
	}
	s.mux = &mux{
		ln:     ln,
		logger: log,
		pg:     func(c net.Conn) { s.wire.ServeConn(sctx, c) },
		grpc:   newChanListener(ln.Addr()),
	}
	go func() {
		defer close(s.served)
		if err := s.mux.serve(); err != nil && !errors.Is(err, net.ErrClosed) {
			log.Error("accept loop ended", "err", err)
		}
	}()
	s.grpc = serveGRPC(node, s.mux.grpc, log, peerServer...)
	log.Info("serving", "address", ln.Addr().String(), "data_dir", cfg.DataDir)
	return s, nil
}

// Addr is the address the node listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Done is closed when consensus stops on its own (a disk error, removal
// from the cluster); Err then says why.
func (s *Server) Done() <-chan struct{} { return s.node.Done() }

// Err reports why the node stopped, after Done is closed.
func (s *Server) Err() error { return s.node.Err() }

// Close shuts the node down cleanly: it stops accepting connections, ends
// the sessions (their clients get 57P01), stops the gRPC peer service and
// consensus, which writes a final checkpoint, and closes the data files.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.ln.Close()
		<-s.served
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		werr := s.wire.Shutdown(ctx)
		s.cancel()
		s.grpc.Stop()
		nerr := s.node.Stop()
		if errors.Is(nerr, consensus.ErrStopped) {
			nerr = nil
		}
		derr := s.db.Close()
		s.closeErr = errors.Join(werr, nerr, derr)
	})
	return s.closeErr
}
