// Package conf reads RocketMQ configuration files and holds the typed
// configuration of the name server and the broker.
//
// Compatibility target: Apache RocketMQ 4.9.8. Every key, type, default and
// "important" marker of NamesrvConfig, NettyServerConfig, NettyClientConfig,
// BrokerConfig and MessageStoreConfig is reproduced, so that an existing
// broker.conf or namesrv properties file works unchanged.
//
// How the Java servers apply a file, and what this package does the same way:
//
//   - The file is a java.util.Properties file (see Parse for the exact rules).
//   - One file is applied to every config object of the process (the broker
//     applies it to four objects); a key found in several objects sets all of
//     them (writeBufferHighWaterMark, for instance). See Apply.
//   - Unknown keys are ignored by Java without a word; here they produce a
//     warning line so that typos become visible.
//   - Java ignores a value it cannot parse and keeps the default (a trailing
//     space after a number is enough). Here a malformed value is an error that
//     names the key, the value and the expected type; surrounding whitespace
//     around numbers, booleans and enums is trimmed, with a warning.
//   - Values that are null in Java (storePathCommitLog, haMasterAddress, ...)
//     are the empty string here; accessor methods derive the effective value
//     the way the Java getters do (for example Store.CommitLogPath).
//
// Printing (-p / -m) lists key=value in the Java field order, one object after
// another, like MixAll.printObjectProperties. See PrintAll.
package conf
