<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AddressCombo</name>
    <message>
        <source>Any (IPv4 and IPv6)</source>
        <translation>任意地址（IPv4 和 IPv6）</translation>
    </message>
    <message>
        <source>Any IPv4 (0.0.0.0)</source>
        <translation>任意 IPv4 地址（0.0.0.0）</translation>
    </message>
    <message>
        <source>Any IPv6 (::)</source>
        <translation>任意 IPv6 地址（::）</translation>
    </message>
</context>
<context>
    <name>LogView</name>
    <message>
        <source>Filter by peer, text or hex</source>
        <translation>按对端、文本或十六进制过滤</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>接收</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Text + hex</source>
        <translation>文本 + 十六进制</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Hex</source>
        <translation>十六进制</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Freeze the display; traffic is still logged and counted</source>
        <translation>冻结显示；流量仍会继续记录和计数</translation>
    </message>
    <message>
        <source>Auto-scroll</source>
        <translation>自动滚动</translation>
    </message>
    <message>
        <source>Wrap</source>
        <translation>自动换行</translation>
    </message>
    <message>
        <source>Wrap long lines in the detail pane</source>
        <translation>在详情窗格中自动换行显示长行</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>Save…</source>
        <translation>保存…</translation>
    </message>
    <message>
        <source>Select a row to see all of it</source>
        <translation>选择一行以查看完整内容</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message numerus="yes">
        <source>%n row(s)</source>
        <translation>
            <numerusform>%n 行</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n byte(s)</source>
        <translation>
            <numerusform>%n 字节</numerusform>
        </translation>
    </message>
    <message>
        <source>Save log</source>
        <translation>保存日志</translation>
    </message>
    <message>
        <source>Text (*.txt *.log);;CSV (*.csv);;JSON lines (*.jsonl)</source>
        <translation>文本文件 (*.txt *.log);;CSV 文件 (*.csv);;JSON Lines 文件 (*.jsonl)</translation>
    </message>
    <message numerus="yes">
        <source>Saved %n row(s) to %1</source>
        <translation>
            <numerusform>已将 %n 行保存到 %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Timestamps</source>
        <translation>时间戳</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Clear the traffic log of every session</source>
        <translation>清空所有会话的流量日志</translation>
    </message>
    <message>
        <source>Clear this view</source>
        <translation>清空此视图</translation>
    </message>
</context>
<context>
    <name>LogWriter</name>
    <message>
        <source>cannot write log to %1: %2</source>
        <translation>无法写入日志 %1：%2</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Socklab</source>
        <translation>Socklab</translation>
    </message>
    <message>
        <source>All traffic</source>
        <translation>全部流量</translation>
    </message>
    <message>
        <source>&amp;Session</source>
        <translation>会话(&amp;S)</translation>
    </message>
    <message>
        <source>New &amp;TCP Server</source>
        <translation>新建 TCP 服务器(&amp;T)</translation>
    </message>
    <message>
        <source>New TCP &amp;Client</source>
        <translation>新建 TCP 客户端(&amp;C)</translation>
    </message>
    <message>
        <source>New &amp;UDP</source>
        <translation>新建 UDP(&amp;U)</translation>
    </message>
    <message>
        <source>Close session</source>
        <translation>关闭会话</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Log</source>
        <translation>日志(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Save all traffic…</source>
        <translation>保存全部流量(&amp;S)…</translation>
    </message>
    <message>
        <source>Save log</source>
        <translation>保存日志</translation>
    </message>
    <message>
        <source>Text (*.txt *.log);;CSV (*.csv);;JSON lines (*.jsonl)</source>
        <translation>文本文件 (*.txt *.log);;CSV 文件 (*.csv);;JSON Lines 文件 (*.jsonl)</translation>
    </message>
    <message>
        <source>Saved to %1</source>
        <translation>已保存到 %1</translation>
    </message>
    <message>
        <source>S&amp;tream to file…</source>
        <translation>实时记录到文件(&amp;T)…</translation>
    </message>
    <message>
        <source>&amp;Clear</source>
        <translation>清空(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;All traffic</source>
        <translation>全部流量(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Socklab</source>
        <translation>关于 Socklab(&amp;A)</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>关于 Qt(&amp;Q)</translation>
    </message>
    <message>
        <source>Traffic log</source>
        <translation>流量日志</translation>
    </message>
    <message>
        <source>Keep at most this many rows:</source>
        <translation>最多保留的行数：</translation>
    </message>
    <message>
        <source>Streaming stopped: %1</source>
        <translation>实时记录已停止：%1</translation>
    </message>
    <message>
        <source>The settings could not be saved to %1 (the folder is not writable or the disk is full); the file keeps the previous settings.</source>
        <translation>无法将设置保存到 %1（文件夹不可写或磁盘已满）；该文件保留原来的设置。</translation>
    </message>
    <message>
        <source>Settings not saved</source>
        <translation>设置未保存</translation>
    </message>
    <message>
        <source>Close anyway?</source>
        <translation>仍然关闭吗？</translation>
    </message>
    <message>
        <source>Stopped streaming the log</source>
        <translation>已停止实时记录日志</translation>
    </message>
    <message>
        <source>JSON lines (*.jsonl);;Text (*.txt *.log)</source>
        <translation>JSON Lines 文件 (*.jsonl);;文本文件 (*.txt *.log)</translation>
    </message>
    <message>
        <source>Streaming every event to %1</source>
        <translation>正在将所有事件实时记录到 %1</translation>
    </message>
    <message>
        <source>About Socklab</source>
        <translation>关于 Socklab</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Socklab %1&lt;/h3&gt;&lt;p&gt;A network debugging assistant: TCP server, TCP client and UDP sessions, with every byte shown as text in the encoding you choose and as hex.&lt;/p&gt;&lt;p&gt;Built with Qt %2.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Socklab %1&lt;/h3&gt;&lt;p&gt;网络调试助手：支持 TCP 服务器、TCP 客户端和 UDP 会话，每个字节都按所选编码显示为文本，同时以十六进制显示。&lt;/p&gt;&lt;p&gt;基于 Qt %2 构建。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Reset counters</source>
        <translation>计数清零</translation>
    </message>
    <message>
        <source>Log size limit…</source>
        <translation>日志行数上限…</translation>
    </message>
    <message numerus="yes">
        <source>%n session(s)</source>
        <translation>
            <numerusform>%n 个会话</numerusform>
        </translation>
    </message>
    <message>
        <source>RX %1 (%2 pkts, %3/s) · TX %4 (%5 pkts, %6/s)</source>
        <translation>接收 %1（%2 包，%3/s）· 发送 %4（%5 包，%6/s）</translation>
    </message>
    <message numerus="yes">
        <source>log: %n row(s)</source>
        <translation>
            <numerusform>日志：%n 行</numerusform>
        </translation>
    </message>
    <message>
        <source>Stream all traffic to file</source>
        <translation>将全部流量实时记录到文件</translation>
    </message>
    <message>
        <source>New TFT&amp;P</source>
        <translation>新建 TFTP(&amp;P)</translation>
    </message>
</context>
<context>
    <name>PeerListModel</name>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Connected since</source>
        <translation>连接时间</translation>
    </message>
    <message>
        <source>RX</source>
        <translation>接收</translation>
    </message>
    <message>
        <source>TX</source>
        <translation>发送</translation>
    </message>
</context>
<context>
    <name>SendBox</name>
    <message>
        <source>Text to send (Ctrl+Enter sends)</source>
        <translation>要发送的内容（按 Ctrl+Enter 发送）</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Hex</source>
        <translation>十六进制</translation>
    </message>
    <message>
        <source>Read \r \n \t \\ \0 and \xNN in the text</source>
        <translation>解析文本中的 \r \n \t \\ \0 和 \xNN 转义字符</translation>
    </message>
    <message>
        <source>No line end</source>
        <translation>不加换行</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Repeat</source>
        <translation>定时发送</translation>
    </message>
    <message>
        <source> ms</source>
        <translation> ms</translation>
    </message>
    <message>
        <source>until stopped</source>
        <translation>直到停止</translation>
    </message>
    <message>
        <source>× </source>
        <translation>× </translation>
    </message>
    <message>
        <source>Send file…</source>
        <translation>发送文件…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <source>Quick commands</source>
        <translation>快捷指令</translation>
    </message>
    <message>
        <source>Send the chosen quick command</source>
        <translation>发送所选的快捷指令</translation>
    </message>
    <message>
        <source>Save…</source>
        <translation>保存…</translation>
    </message>
    <message>
        <source>Save the text above as a quick command</source>
        <translation>将上方文本保存为快捷指令</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>every</source>
        <translation>每隔</translation>
    </message>
    <message>
        <source>sent %1 of %2</source>
        <translation>已发送 %1/%2 次</translation>
    </message>
    <message>
        <source>sent %1</source>
        <translation>已发送 %1 次</translation>
    </message>
    <message>
        <source>%1 of %2 bytes</source>
        <translation>%1 / %2 字节</translation>
    </message>
    <message>
        <source>nothing to send: the box is empty</source>
        <translation>没有可发送的内容：输入框为空</translation>
    </message>
    <message>
        <source>nowhere to send</source>
        <translation>没有发送目标</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Send file</source>
        <translation>发送文件</translation>
    </message>
    <message>
        <source>nothing to save: the box is empty</source>
        <translation>没有可保存的内容：输入框为空</translation>
    </message>
    <message>
        <source>Quick command</source>
        <translation>快捷指令</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Parse escapes</source>
        <translation>解析转义字符</translation>
    </message>
    <message>
        <source>File sent: %1</source>
        <translation>文件已发送：%1</translation>
    </message>
</context>
<context>
    <name>SessionTab</name>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Echo</source>
        <translation>回显</translation>
    </message>
    <message>
        <source>Fixed reply</source>
        <translation>固定回复</translation>
    </message>
    <message>
        <source>Time server</source>
        <translation>时间服务器</translation>
    </message>
    <message>
        <source>Time server: the request is a strftime format such as %Y-%m-%d %X</source>
        <translation>时间服务器：请求内容为 strftime 格式字符串，例如 %Y-%m-%d %X</translation>
    </message>
    <message>
        <source>Reply text (escapes such as \r\n allowed)</source>
        <translation>回复内容（可使用 \r\n 等转义字符）</translation>
    </message>
    <message>
        <source>Reset counters</source>
        <translation>计数器清零</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Encoding:</source>
        <translation>编码：</translation>
    </message>
    <message>
        <source>Counters</source>
        <translation>计数器</translation>
    </message>
    <message>
        <source>● Stopped</source>
        <translation>● 已停止</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>● Starting…</source>
        <translation>● 正在启动…</translation>
    </message>
    <message>
        <source>● Stopping…</source>
        <translation>● 正在停止…</translation>
    </message>
    <message>
        <source>Reply: %1</source>
        <translation>回复内容：%1</translation>
    </message>
    <message>
        <source>RX %1 in %2 packets (%3/s)
TX %4 in %5 packets (%6/s)</source>
        <translation>接收 %1，共 %2 包（%3/s）
发送 %4，共 %5 包（%6/s）</translation>
    </message>
    <message>
        <source>Encoding and auto-reply</source>
        <translation>编码与自动回复</translation>
    </message>
    <message>
        <source>Auto-reply:</source>
        <translation>自动回复：</translation>
    </message>
</context>
<context>
    <name>TcpClientTab</name>
    <message>
        <source>host name or address</source>
        <translation>主机名或地址</translation>
    </message>
    <message>
        <source>Bind local address</source>
        <translation>绑定本地地址</translation>
    </message>
    <message>
        <source>any</source>
        <translation>任意</translation>
    </message>
    <message>
        <source> ms</source>
        <translation> ms</translation>
    </message>
    <message>
        <source>Reconnect automatically</source>
        <translation>自动重连</translation>
    </message>
    <message>
        <source>Host:</source>
        <translation>远程主机：</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>远程端口：</translation>
    </message>
    <message>
        <source>Local address:</source>
        <translation>本地地址：</translation>
    </message>
    <message>
        <source>Local port:</source>
        <translation>本地端口：</translation>
    </message>
    <message>
        <source>Timeout:</source>
        <translation>连接超时：</translation>
    </message>
    <message>
        <source>TCP Client %1:%2</source>
        <translation>TCP 客户端 %1:%2</translation>
    </message>
    <message>
        <source>Host: enter a host name or address</source>
        <translation>远程主机：请输入主机名或地址</translation>
    </message>
    <message>
        <source>Host: &apos;%1&apos; contains a space</source>
        <translation>远程主机：“%1”包含空格</translation>
    </message>
    <message>
        <source>Local address: %1</source>
        <translation>本地地址：%1</translation>
    </message>
    <message>
        <source>Connected to %1 from %2</source>
        <translation>已连接到 %1（本地 %2）</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>断开</translation>
    </message>
</context>
<context>
    <name>TcpServerTab</name>
    <message>
        <source>0 (any free port)</source>
        <translation>0（任意空闲端口）</translation>
    </message>
    <message>
        <source>no limit</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>监听地址：</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>监听端口：</translation>
    </message>
    <message>
        <source>Max clients:</source>
        <translation>最大客户端数：</translation>
    </message>
    <message>
        <source>Send to selected</source>
        <translation>发送到选中</translation>
    </message>
    <message>
        <source>Send to all</source>
        <translation>发送到全部</translation>
    </message>
    <message>
        <source>Disconnect selected</source>
        <translation>断开选中</translation>
    </message>
    <message>
        <source>Disconnect all</source>
        <translation>全部断开</translation>
    </message>
    <message>
        <source>TCP Server :%1</source>
        <translation>TCP 服务器 :%1</translation>
    </message>
    <message>
        <source>Address: %1</source>
        <translation>监听地址：%1</translation>
    </message>
    <message>
        <source>Listening on %1</source>
        <translation>正在监听 %1</translation>
    </message>
    <message>
        <source>no client selected: select one or more in the list, or choose Send to all</source>
        <translation>未选择客户端：请在列表中选择一个或多个客户端，或选择“发送到全部”</translation>
    </message>
    <message numerus="yes">
        <source>%n client(s) connected</source>
        <translation>
            <numerusform>已连接 %n 个客户端</numerusform>
        </translation>
    </message>
    <message>
        <source>Listen</source>
        <translation>开始监听</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止监听</translation>
    </message>
</context>
<context>
    <name>TftpTab</name>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <source>server name or address</source>
        <translation>服务器名称或地址</translation>
    </message>
    <message>
        <source>e.g. firmware.bin (upload: empty means the local name)</source>
        <translation>例如 firmware.bin（上传时留空表示使用本地文件名）</translation>
    </message>
    <message>
        <source>download: a folder or a file; upload: the file to send</source>
        <translation>下载：文件夹或文件；上传：要发送的文件</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>File…</source>
        <translation>文件…</translation>
    </message>
    <message>
        <source>Local file</source>
        <translation>本地文件</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>文件夹…</translation>
    </message>
    <message>
        <source>Download into</source>
        <translation>下载到</translation>
    </message>
    <message>
        <source>octet (binary)</source>
        <translation>octet（二进制）</translation>
    </message>
    <message>
        <source>netascii (text, CR LF)</source>
        <translation>netascii（文本，CR LF）</translation>
    </message>
    <message>
        <source>Plain RFC 1350 (ask for no options)</source>
        <translation>纯 RFC 1350（不协商任何选项）</translation>
    </message>
    <message>
        <source>do not ask (512)</source>
        <translation>不协商（512）</translation>
    </message>
    <message>
        <source>blksize (RFC 2348): larger blocks are much faster; 1468 fits an Ethernet frame</source>
        <translation>blksize（RFC 2348）：块越大传输越快；1468 正好放进一个以太网帧</translation>
    </message>
    <message>
        <source>do not ask (1)</source>
        <translation>不协商（1）</translation>
    </message>
    <message>
        <source>windowsize (RFC 7440): blocks sent before an ACK; not every server supports it</source>
        <translation>windowsize（RFC 7440）：每次确认前连续发送的块数；并非所有服务器都支持</translation>
    </message>
    <message>
        <source>Ask for the size (tsize)</source>
        <translation>协商文件大小（tsize）</translation>
    </message>
    <message>
        <source>do not ask</source>
        <translation>不协商</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source> ms</source>
        <translation> ms</translation>
    </message>
    <message>
        <source>Replace an existing local file</source>
        <translation>覆盖已存在的本地文件</translation>
    </message>
    <message>
        <source>Transfer</source>
        <translation>传输</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>服务器：</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>端口：</translation>
    </message>
    <message>
        <source>Remote file:</source>
        <translation>远程文件：</translation>
    </message>
    <message>
        <source>Local file or folder:</source>
        <translation>本地文件或文件夹：</translation>
    </message>
    <message>
        <source>Mode:</source>
        <translation>模式：</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>选项</translation>
    </message>
    <message>
        <source>Block size:</source>
        <translation>块大小：</translation>
    </message>
    <message>
        <source>Window size:</source>
        <translation>窗口大小：</translation>
    </message>
    <message>
        <source>Server timeout:</source>
        <translation>服务器超时：</translation>
    </message>
    <message>
        <source>Retransmit after:</source>
        <translation>重传间隔：</translation>
    </message>
    <message>
        <source>Retries:</source>
        <translation>重试次数：</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Remote file</source>
        <translation>远程文件</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>字节数</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Transfers:</source>
        <translation>传输记录：</translation>
    </message>
    <message>
        <source>enter the server&apos;s name or address</source>
        <translation>请输入服务器名称或地址</translation>
    </message>
    <message>
        <source>enter the name of the remote file to download</source>
        <translation>请输入要下载的远程文件名</translation>
    </message>
    <message>
        <source>choose the local file to upload</source>
        <translation>请选择要上传的本地文件</translation>
    </message>
    <message>
        <source>%1 is not a file that can be uploaded</source>
        <translation>%1 不是可上传的文件</translation>
    </message>
    <message>
        <source>Downloading…</source>
        <translation>正在下载…</translation>
    </message>
    <message>
        <source>Uploading…</source>
        <translation>正在上传…</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>%1 left</source>
        <translation>剩余 %1</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/s</translation>
    </message>
    <message>
        <source>Downloaded %1 to %2</source>
        <translation>已下载 %1 到 %2</translation>
    </message>
    <message>
        <source>Uploaded %1 from %2</source>
        <translation>已从 %2 上传 %1</translation>
    </message>
    <message>
        <source>%1 in %2 ms, block size %3, window %4</source>
        <translation>%1，用时 %2 ms，块大小 %3，窗口 %4</translation>
    </message>
    <message>
        <source>the server ignored the options</source>
        <translation>服务器忽略了选项</translation>
    </message>
    <message>
        <source>download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>upload</source>
        <translation>上传</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>成功</translation>
    </message>
    <message>
        <source>TFTP</source>
        <translation>TFTP</translation>
    </message>
    <message>
        <source>&amp;Download</source>
        <translation>下载(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Upload</source>
        <translation>上传(&amp;U)</translation>
    </message>
</context>
<context>
    <name>TrafficLogModel</name>
    <message>
        <source>RX</source>
        <translation>RX</translation>
    </message>
    <message>
        <source>TX</source>
        <translation>TX</translation>
    </message>
    <message>
        <source>listening</source>
        <translation>监听</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <source>disconnected</source>
        <translation>已断开</translation>
    </message>
    <message>
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>info</source>
        <translation>信息</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>会话</translation>
    </message>
    <message>
        <source>Peer</source>
        <translation>对端</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>字节数</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Hex</source>
        <translation>十六进制</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>方向</translation>
    </message>
</context>
<context>
    <name>UdpTab</name>
    <message>
        <source>0 (any free port)</source>
        <translation>0（任意空闲端口）</translation>
    </message>
    <message>
        <source>host, broadcast or multicast address</source>
        <translation>主机、广播或组播地址</translation>
    </message>
    <message>
        <source>Broadcast (255.255.255.255)</source>
        <translation>广播（255.255.255.255）</translation>
    </message>
    <message>
        <source>default interface</source>
        <translation>默认网络接口</translation>
    </message>
    <message>
        <source>Join</source>
        <translation>加入</translation>
    </message>
    <message>
        <source>Leave</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>本地地址：</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>本地端口：</translation>
    </message>
    <message>
        <source>Target:</source>
        <translation>目标地址：</translation>
    </message>
    <message>
        <source>Target port:</source>
        <translation>目标端口：</translation>
    </message>
    <message>
        <source>Multicast:</source>
        <translation>组播组：</translation>
    </message>
    <message>
        <source>Interface:</source>
        <translation>网络接口：</translation>
    </message>
    <message>
        <source>Multicast TTL:</source>
        <translation>组播 TTL：</translation>
    </message>
    <message>
        <source>UDP :%1</source>
        <translation>UDP :%1</translation>
    </message>
    <message>
        <source>Address: %1</source>
        <translation>本地地址：%1</translation>
    </message>
    <message>
        <source>Target: &apos;%1&apos; contains a space</source>
        <translation>目标地址：“%1”包含空格</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a multicast group address (224.0.0.0/4 or ff00::/8)</source>
        <translation>“%1”不是组播组地址（224.0.0.0/4 或 ff00::/8）</translation>
    </message>
    <message>
        <source>No multicast groups</source>
        <translation>未加入组播组</translation>
    </message>
    <message>
        <source>Joined: %1</source>
        <translation>已加入：%1</translation>
    </message>
    <message>
        <source>Bound to %1</source>
        <translation>已绑定到 %1</translation>
    </message>
    <message>
        <source>Bind</source>
        <translation>绑定</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Send to the last sender</source>
        <translation>发给最后一个发送方</translation>
    </message>
    <message>
        <source>Will join when bound: %1</source>
        <translation>绑定后加入：%1</translation>
    </message>
</context>
</TS>
