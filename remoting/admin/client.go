// Package admin is a RocketMQ 4.x administration client: the requests Java's DefaultMQAdminExt sends to name
// servers and brokers (GET_BROKER_CLUSTER_INFO, UPDATE_AND_CREATE_TOPIC, GET_CONSUME_STATS, ...), over
// remoting.Client, with the answers decoded into Go types. bin/mqadmin prints them; it works against rocketd
// and against Java 4.9.8 servers alike.
//
// A request a server refuses comes back as *ResponseError (code and remark, printed like Java's
// MQClientException "CODE: 17  DESC: ..."). Name server requests go to the first name server that answers, in
// the order given, as Java's client does when one is down.
package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// DefaultTimeout is Java DefaultMQAdminExt's timeoutMillis (5 s).
const DefaultTimeout = 5 * time.Second

// Client sends admin requests. It is safe for concurrent use; Close releases its connections.
type Client struct {
	namesrv []string
	timeout time.Duration
	rc      *remoting.Client
}

// ResponseError is a request the server answered with a code other than SUCCESS.
type ResponseError struct {
	Code   int32
	Remark string
}

func (e *ResponseError) Error() string { return fmt.Sprintf("CODE: %d  DESC: %s", e.Code, e.Remark) }

// IsCode reports whether err is a *ResponseError with code c.
func IsCode(err error, c int32) bool {
	var re *ResponseError
	return errors.As(err, &re) && re.Code == c
}

// New returns a client for the name servers in addrs ("host:port" items separated by ';', Java's
// namesrvAddr). timeout <= 0 means DefaultTimeout.
func New(addrs string, timeout time.Duration) (*Client, error) {
	var ns []string
	for _, a := range strings.Split(addrs, ";") {
		if a = strings.TrimSpace(a); a != "" {
			ns = append(ns, a)
		}
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &Client{namesrv: ns, timeout: timeout, rc: &remoting.Client{Logger: quiet}}, nil
}

// Close closes every connection.
func (c *Client) Close() error { return c.rc.Close() }

// Namesrv is the name server list.
func (c *Client) Namesrv() []string { return append([]string(nil), c.namesrv...) }

// Invoke sends req to addr and returns the response whatever its code.
func (c *Client) Invoke(ctx context.Context, addr string, req *remoting.Command) (*remoting.Command, error) {
	resp, err := c.rc.InvokeSync(ctx, addr, req, c.timeout)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", addr, err)
	}
	return resp, nil
}

// call sends req to addr and returns the response if it is SUCCESS, a *ResponseError otherwise.
func (c *Client) call(ctx context.Context, addr string, req *remoting.Command) (*remoting.Command, error) {
	resp, err := c.Invoke(ctx, addr, req)
	if err != nil {
		return nil, err
	}
	if resp.Code != code.Success {
		return resp, &ResponseError{Code: resp.Code, Remark: resp.Remark}
	}
	return resp, nil
}

// callNS sends req to the first name server that answers.
func (c *Client) callNS(ctx context.Context, req func() *remoting.Command) (*remoting.Command, error) {
	if len(c.namesrv) == 0 {
		return nil, errors.New("no name server address: give -n host:port or set NAMESRV_ADDR")
	}
	var errs []error
	for _, addr := range c.namesrv {
		resp, err := c.Invoke(ctx, addr, req())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if resp.Code != code.Success {
			return resp, &ResponseError{Code: resp.Code, Remark: resp.Remark}
		}
		return resp, nil
	}
	return nil, errors.Join(errs...)
}

// callAllNS sends req to every name server (Java's admin does this for KV config, write permission and topic
// deletion); the first failure is returned after all were tried.
func (c *Client) callAllNS(ctx context.Context, req func() *remoting.Command, each func(addr string, resp *remoting.Command)) error {
	if len(c.namesrv) == 0 {
		return errors.New("no name server address: give -n host:port or set NAMESRV_ADDR")
	}
	var first error
	for _, addr := range c.namesrv {
		resp, err := c.call(ctx, addr, req())
		if err != nil && first == nil {
			first = err
		}
		if err == nil && each != nil {
			each(addr, resp)
		}
	}
	return first
}
