package broker

import (
	"strings"
	"unsafe"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
)

// decodeSendHeader reads a send request's header. SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE requests arrive with
// raw extFields (the route is WithRawExt): their one-letter keys are read straight from the frame, without an
// extFields map, and the names the broker keeps (group, topic, default topic, broker name) are interned.
// Anything unusual (a bad field, an escape that does not decode) goes through the map path, so errors and
// remarks are the same as before. The properties string is unescaped (or copied) into *props, which must
// outlive every use of h.Properties.
func (b *Broker) decodeSendHeader(req *remoting.Command, props *[]byte) (header.SendMessageRequestHeader, error) {
	var h header.SendMessageRequestHeader
	if req.Code != code.SendMessage && req.HasRawExt() {
		var f header.LetterFields
		propsFresh := false // the properties string does not alias the frame (it is in *props or a new string)
		propsUsed := false  // *props holds a properties value already (a repeated key gets a string of its own)
		ok := req.RangeExt(func(k, v []byte, escaped bool) bool {
			if len(k) != 1 {
				return true // not a V2 key: Decode ignores it
			}
			s := unsafe.String(unsafe.SliceData(v), len(v)) // aliases the frame: copied below where kept
			if k[0] == 'i' && !propsUsed {
				propsUsed, propsFresh = true, true
				var err error
				if escaped {
					*props, err = remoting.AppendUnescapeExt((*props)[:0], v)
				} else {
					*props = append((*props)[:0], v...)
				}
				if err != nil {
					return false
				}
				f.Put(k, unsafe.String(unsafe.SliceData(*props), len(*props)))
				return true
			}
			if k[0] == 'i' {
				propsFresh = escaped
			}
			if escaped {
				var err error
				if s, err = remoting.UnescapeExt(v); err != nil {
					return false
				}
			}
			f.Put(k, s)
			return true
		})
		var h2 header.SendMessageRequestHeaderV2
		if ok && h2.DecodeLetters(&f) == nil {
			h = h2.V1()
			h.ProducerGroup = b.names.String(h.ProducerGroup)
			h.Topic = b.names.String(h.Topic)
			h.DefaultTopic = b.names.String(h.DefaultTopic)
			h.BrokerName = b.names.String(h.BrokerName)
			if !propsFresh {
				h.Properties = strings.Clone(h.Properties)
			}
			return h, nil
		}
		if err := req.LoadExtFields(); err != nil {
			return h, err
		}
	}
	if req.Code == code.SendMessage {
		err := h.Decode(req.ExtFields)
		return h, err
	}
	var h2 header.SendMessageRequestHeaderV2
	if err := h2.Decode(req.ExtFields); err != nil {
		return h, err
	}
	return h2.V1(), nil
}
