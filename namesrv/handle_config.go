package namesrv

// Runtime configuration: UPDATE_NAMESRV_CONFIG (318), GET_NAMESRV_CONFIG (319).
// Java: DefaultRequestProcessor.updateConfig/getConfig and common/Configuration.
// Differences: Java writes the properties in Hashtable order; rocketd writes the NamesrvConfig fields, then the
// NettyServerConfig fields, then keys only the -c file has. A value that does not fit its key's type is
// answered SYSTEM_ERROR naming the key (Java silently keeps the old value); the other keys are still applied.

import (
	"strings"

	"github.com/rocketd/rocketd/compat/fastjson"
	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// alwaysBlack are the keys Java refuses to update whatever configBlackList says.
var alwaysBlack = []string{"configBlackList", "configStorePath", "kvConfigPath", "rocketmqHome"}

// blackList is fixed when the server is built, as in Java (a later configBlackList change has no effect).
func (s *Server) blackList() map[string]struct{} {
	s.blackOnce.Do(func() {
		s.black = map[string]struct{}{}
		for _, k := range alwaysBlack {
			s.black[k] = struct{}{}
		}
		for _, k := range strings.Split(s.cfg.Namesrv.ConfigBlackList, ";") {
			s.black[k] = struct{}{}
		}
	})
	return s.black
}

// allConfigs is Configuration.getAllConfigsFormatString; the caller holds cfgMu.
func (s *Server) allConfigsLocked() (*conf.Properties, error) {
	p, err := conf.ToProperties(&s.cfg.Namesrv, &s.cfg.Server)
	if err != nil {
		return nil, err
	}
	for _, k := range s.cfg.File.Keys() {
		v, _ := s.cfg.File.Get(k)
		p.Set(k, v)
	}
	return p, nil
}

func (s *Server) getConfig(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	s.cfgMu.RLock()
	p, err := s.allConfigsLocked()
	s.cfgMu.RUnlock()
	if err != nil {
		return nil, err
	}
	resp := remoting.NewResponse(req, code.Success, "")
	if text := p.String(); text != "" {
		resp.Body = []byte(text)
	}
	return resp, nil
}

func (s *Server) updateConfig(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
	s.log.Info("update config called", "client", c.RemoteAddr())
	if len(req.Body) == 0 {
		return remoting.NewResponse(req, code.Success, ""), nil
	}
	props, err := conf.Parse(req.Body)
	if err != nil {
		s.log.Error("update config: body is not properties text", "err", err)
		return remoting.NewResponse(req, code.SystemError, "string2Properties error"), nil
	}
	black := s.blackList()
	for _, k := range props.Keys() {
		if _, ok := black[k]; ok {
			return remoting.NewResponse(req, code.NoPermission, "Can not update config in black list."), nil
		}
	}
	s.cfgMu.Lock()
	defer s.cfgMu.Unlock()
	// Keys only the -c file knows are kept up to date (Java's mergeIfExist); unknown keys are dropped.
	for _, k := range props.Keys() {
		if _, ok := s.cfg.File.Get(k); ok {
			v, _ := props.Get(k)
			s.cfg.File.Set(k, v)
		}
	}
	_, applyErr := conf.Apply(props, &s.cfg.Namesrv, &s.cfg.Server)
	all, err := s.allConfigsLocked()
	if err != nil {
		return nil, err
	}
	if path := s.cfg.Namesrv.ConfigStorePath; path != "" {
		if err := fastjson.WriteConfig(path, []byte(all.String())); err != nil { // MixAll.string2File
			s.log.Error("persisting namesrv config failed", "path", path, "err", err)
		}
	}
	if applyErr != nil {
		return remoting.NewResponse(req, code.SystemError, applyErr.Error()), nil
	}
	return remoting.NewResponse(req, code.Success, ""), nil
}
