package store

import (
	"errors"
	"net"
	"time"

	"github.com/rocketd/rocketd/store/ha"
)

// Master/slave replication (store/ha): Java's DefaultMessageStore starts the HA service on every broker (the
// listener on haListenPort) and its HA client, which connects once a master address is known.

// haLog adapts the CommitLog to ha.Log.
type haLog struct{ s *DefaultMessageStore }

func (l haLog) MaxOffset() int64 { return l.s.cl.MaxOffset() }

func (l haLog) Read(phy int64) ([]byte, func(), bool) {
	b, f, ok := l.s.cl.ReadFrom(phy)
	if !ok {
		return nil, nil, false
	}
	return b, f.Release, true
}

func (l haLog) AppendRaw(phy int64, b []byte) error {
	if l.s.shutdown.Load() {
		return ErrShutdown
	}
	return l.s.cl.AppendRaw(phy, b)
}

// RecordBoundary: dispatch stops only at record starts (or file ends), so phy == reputFrom is one.
func (l haLog) RecordBoundary(phy int64) bool { return l.s.reputFrom.Load() == phy }

func (s *DefaultMessageStore) haConfig() ha.Config {
	return ha.Config{
		FileSize:             int64(s.cfg.MappedFileSizeCommitLog),
		HeartbeatInterval:    ms(s.cfg.HaSendHeartbeatInterval),
		HousekeepingInterval: ms(s.cfg.HaHousekeepingInterval),
		TransferBatchSize:    s.cfg.HaTransferBatchSize,
		SlaveFallbehindMax:   s.cfg.HaSlaveFallbehindMax,
		ReconnectInterval:    s.opts.HAReconnectInterval,
		Logger:               s.log,
	}
}

// StartHA opens the HA listener on addr (":<haListenPort>", or "127.0.0.1:0" in tests) and starts the HA
// client (it connects once UpdateHaMasterAddress names a master). Call after Start.
func (s *DefaultMessageStore) StartHA(addr string) (net.Addr, error) {
	if !s.started.Load() || s.shutdown.Load() {
		return nil, ErrNotStarted
	}
	if s.haSrv.Load() != nil {
		return nil, errors.New("store: HA already started")
	}
	srv := ha.NewService(haLog{s}, s.haConfig())
	bound, err := srv.Listen(addr)
	if err != nil {
		return nil, err
	}
	s.haSrv.Store(srv)
	cl := ha.NewClient(haLog{s}, s.haConfig())
	s.haCli.Store(cl)
	cl.Start()
	return bound, nil
}

// stopHA closes the HA client and server (before the files are closed).
func (s *DefaultMessageStore) stopHA() {
	if cl := s.haCli.Load(); cl != nil {
		cl.Close()
	}
	if srv := s.haSrv.Load(); srv != nil {
		srv.Close()
	}
}

// UpdateHaMasterAddress points the HA client at a master's HA listener (Java updateHaMasterAddress).
func (s *DefaultMessageStore) UpdateHaMasterAddress(addr string) {
	if cl := s.haCli.Load(); cl != nil {
		cl.UpdateMasterAddress(addr)
	}
}

// notifyAppend is the CommitLog's append hook: wake dispatch and the HA connection writers.
func (s *DefaultMessageStore) notifyAppend() {
	s.wakeReput()
	if srv := s.haSrv.Load(); srv != nil {
		srv.NotifyAppend()
	}
}

// SyncMaster reports whether WAIT=true puts wait for a slave (brokerRole=SYNC_MASTER).
func (s *DefaultMessageStore) SyncMaster() bool { return s.cfg.BrokerRole == SyncMaster }

// WaitReplica completes a stored put under SYNC_MASTER (Java submitReplicaRequest): done gets r unchanged once
// a slave acknowledged its last byte, FLUSH_SLAVE_TIMEOUT after slaveTimeout, or SLAVE_NOT_AVAILABLE at once
// when no slave is connected or the slaves are haSlaveFallbehindMax behind. done runs on the HA transfer
// goroutine (or the caller's): it must only hand the response off. Failed puts and other roles complete at once.
func (s *DefaultMessageStore) WaitReplica(r PutResult, done func(PutResult)) {
	srv := s.haSrv.Load()
	if r.Status != PutOK || s.cfg.BrokerRole != SyncMaster {
		done(r)
		return
	}
	if srv == nil {
		r.Status = SlaveNotAvailable
		done(r)
		return
	}
	timeout := ms(s.cfg.SlaveTimeout)
	if timeout <= 0 {
		timeout = 3 * time.Second
	}
	srv.Submit(r.WroteOffset+int64(r.WroteBytes), timeout, func(res ha.Result) {
		switch res {
		case ha.TransferTimeout:
			r.Status = FlushSlaveTimeout
		case ha.SlaveNotOK:
			r.Status = SlaveNotAvailable
		}
		done(r)
	})
}

// HAStatus is what the broker reports about replication.
type HAStatus struct {
	Listening           bool
	SlaveConnections    int    // master: connected slaves
	Push2SlaveMaxOffset int64  // master: best slave ack
	SlaveFallBehindMuch int64  // master: bytes the best slave is behind
	MasterAddress       string // slave: master HA address
	MasterConnected     bool   // slave: connected to it
}

// HAStatus reports the HA service and client state.
func (s *DefaultMessageStore) HAStatus() HAStatus {
	var st HAStatus
	if srv := s.haSrv.Load(); srv != nil {
		st.Listening = true
		st.SlaveConnections = srv.ConnectionCount()
		st.Push2SlaveMaxOffset = srv.Push2SlaveMaxOffset()
		st.SlaveFallBehindMuch = srv.SlaveFallBehindMuch()
	}
	if cl := s.haCli.Load(); cl != nil {
		st.MasterAddress = cl.MasterAddress()
		st.MasterConnected = cl.Connected()
	}
	return st
}
