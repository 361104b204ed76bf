// Command torture is rocketd's on-demand reliability campaign (`make torture`; not part of `make test` or CI).
// It drives the built mqnamesrv and mqbroker binaries as separate processes on 127.0.0.1 only:
//
//   - crash: kill -9 cycles under SYNC_FLUSH and ASYNC_FLUSH send load; every acknowledged message is read
//     back at its queue offset after the last restart, and the store is verified record by record;
//   - malformed: random bytes, bad and short lengths, truncated frames and every request code with missing
//     and garbage headers, against a name server and a broker, which must stay up and answer;
//   - load: connections that send only a length prefix (RSS measured), a client that pipelines pulls and never
//     reads while another one sends, a thousand connections, and 5,000 topic creates with route lookups;
//   - fulldisk: a broker whose store is on a small tmpfs (mounted in a private mount namespace with
//     unshare -rm) while another process fills it: puts are refused, reads are served, restart on the full
//     disk works, the store verifies.
//
// Every loop is bounded in count and time. It prints each check, then `N passed, M failed` and the figures.
package main
