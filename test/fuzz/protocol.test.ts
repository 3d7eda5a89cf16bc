import { describeTarget } from './fuzz-budget';
import { CHANNEL } from './channel.properties';
import { DECODER, FRAMING } from './protocol.properties';
import { WEBVIEW_MESSAGES } from './webview.properties';

describeTarget(FRAMING, 300);
describeTarget(DECODER, 300);
describeTarget(WEBVIEW_MESSAGES, 300);
describeTarget(CHANNEL, 30);
