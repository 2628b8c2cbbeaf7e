/// Feeds shaped like the ones the watched platforms really publish.
enum FeedFixtures {
    /// WordPress /feed/: CDATA descriptions with HTML and the Yoast "appeared first on"
    /// footer, content:encoded with a script, numeric entities in titles, atom:link self.
    static let wordpressRSS = """
    <?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
    \txmlns:content="http://purl.org/rss/1.0/modules/content/"
    \txmlns:wfw="http://wellformedweb.org/CommentAPI/"
    \txmlns:dc="http://purl.org/dc/elements/1.1/"
    \txmlns:atom="http://www.w3.org/2005/Atom"
    \txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
    \txmlns:slash="http://purl.org/rss/1.0/modules/slash/"
    \t>

    <channel>
    \t<title>Carers Centre &#8211; Supporting unpaid carers</title>
    \t<atom:link href="https://carers.example.org.uk/feed/" rel="self" type="application/rss+xml" />
    \t<link>https://carers.example.org.uk</link>
    \t<description>Support for unpaid carers in Exampleshire</description>
    \t<lastBuildDate>Wed, 14 May 2025 09:12:33 +0000</lastBuildDate>
    \t<language>en-GB</language>
    \t<sy:updatePeriod>
    \thourly\t</sy:updatePeriod>
    \t<sy:updateFrequency>
    \t1\t</sy:updateFrequency>
    \t<generator>https://wordpress.org/?v=6.8.1</generator>

    <image>
    \t<url>https://carers.example.org.uk/wp-content/uploads/2023/01/cropped-icon-32x32.png</url>
    \t<title>Carers Centre Logo</title>
    \t<link>https://carers.example.org.uk</link>
    \t<width>32</width>
    \t<height>32</height>
    </image>
    \t<item>
    \t\t<title>Carers Week 2025: what&#8217;s on near you</title>
    \t\t<link>https://carers.example.org.uk/carers-week-2025-whats-on/</link>
    \t\t<comments>https://carers.example.org.uk/carers-week-2025-whats-on/#respond</comments>
    \t\t<dc:creator><![CDATA[Sam Jones]]></dc:creator>
    \t\t<pubDate>Wed, 14 May 2025 09:12:33 +0000</pubDate>
    \t\t<category><![CDATA[News]]></category>
    \t\t<category><![CDATA[Carers Week]]></category>
    \t\t<guid isPermaLink="false">https://carers.example.org.uk/?p=4812</guid>
    \t\t<description><![CDATA[<p>Carers Week runs from 9 to 15 June. Join us for coffee mornings, a wellbeing walk &amp; free legal advice sessions across the county.</p>
    <p>The post <a href="https://carers.example.org.uk/carers-week-2025-whats-on/">Carers Week 2025: what&#8217;s on near you</a> appeared first on <a href="https://carers.example.org.uk">Carers Centre</a>.</p>
    ]]></description>
    \t\t<content:encoded><![CDATA[<p>Carers Week runs from 9 to 15 June.</p><script>window.dataLayer=[];</script>]]></content:encoded>
    \t\t<wfw:commentRss>https://carers.example.org.uk/carers-week-2025-whats-on/feed/</wfw:commentRss>
    \t\t<slash:comments>0</slash:comments>
    \t</item>
    \t<item>
    \t\t<title>New respite grants for carers &#8211; apply by 30 June</title>
    \t\t<link>https://carers.example.org.uk/new-respite-grants-for-carers/</link>
    \t\t<dc:creator><![CDATA[Priya Shah]]></dc:creator>
    \t\t<pubDate>Sun, 02 Mar 2025 10:15:40 +0000</pubDate>
    \t\t<guid isPermaLink="false">https://carers.example.org.uk/?p=4790</guid>
    \t\t<description><![CDATA[Unpaid carers in Exampleshire can now apply for a one-off respite grant of up to &#163;300 to pay for a short break, a day out or a piece of equipment that makes caring easier. The fund is open to anyone aged 18 or over who provides unpaid care for a family member or friend and lives in the county. Applications close on 30 June and decisions are made within four weeks of the closing date by our independent panel of carers [&#8230;]]]></description>
    \t\t<content:encoded><![CDATA[<p>Unpaid carers in Exampleshire can now apply&#8230;</p>]]></content:encoded>
    \t</item>
    \t<item>
    \t\t<title>Christmas opening hours</title>
    \t\t<link>https://carers.example.org.uk/christmas-opening-hours/</link>
    \t\t<pubDate>Tue, 03 Dec 2024 10:00:00 +0000</pubDate>
    \t\t<guid isPermaLink="false">https://carers.example.org.uk/?p=4701</guid>
    \t\t<description></description>
    \t\t<content:encoded><![CDATA[<style>.x{color:red}</style><h2>Opening hours</h2><p>We close at <strong>noon</strong> on 24&nbsp;December and reopen on 2&nbsp;January.</p><!-- wp:paragraph -->]]></content:encoded>
    \t</item>
    </channel>
    </rss>
    """

    /// Blogger's Atom feed: single-quoted attributes, many link relations, escaped HTML content.
    static let bloggerAtom = """
    <?xml version='1.0' encoding='UTF-8'?><?xml-stylesheet href="http://www.blogger.com/styles/atom.css" type="text/css"?><feed xmlns='http://www.w3.org/2005/Atom' xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/' xmlns:blogger='http://schemas.google.com/blogger/2008' xmlns:georss='http://www.georss.org/georss' xmlns:gd="http://schemas.google.com/g/2005" xmlns:thr='http://purl.org/syndication/thread/1.0'><id>tag:blogger.com,1999:blog-1234567890123456789</id><updated>2025-05-10T08:01:22.512+01:00</updated><category term="young carers"/><title type='text'>Young Carers Blog</title><subtitle type='html'></subtitle><link rel='http://schemas.google.com/g/2005#feed' type='application/atom+xml' href='https://youngcarers-example.blogspot.com/feeds/posts/default'/><link rel='self' type='application/atom+xml' href='https://www.blogger.com/feeds/1234567890123456789/posts/default'/><link rel='alternate' type='text/html' href='https://youngcarers-example.blogspot.com/'/><author><name>Young Carers Team</name><uri>http://www.blogger.com/profile/000</uri><email>noreply@blogger.com</email><gd:image rel='http://schemas.google.com/g/2005#thumbnail' width='16' height='16' src='https://img1.blogblog.com/img/b16-rounded.gif'/></author><generator version='7.00' uri='http://www.blogger.com'>Blogger</generator><openSearch:totalResults>2</openSearch:totalResults><openSearch:startIndex>1</openSearch:startIndex><openSearch:itemsPerPage>25</openSearch:itemsPerPage><entry><id>tag:blogger.com,1999:blog-1234567890123456789.post-9876543210</id><published>2025-05-10T08:00:00.001+01:00</published><updated>2025-05-10T08:01:22.498+01:00</updated><category scheme="http://www.blogger.com/atom/ns#" term="trips"/><title type='text'>Summer trip to the coast</title><content type='html'>&lt;div&gt;&lt;p&gt;Our summer trip is on&amp;nbsp;Saturday 26 July. The coach leaves at 9am.&lt;/p&gt;&lt;p&gt;&lt;img src="https://blogger.googleusercontent.com/img/a/beach.jpg"/&gt;&lt;/p&gt;&lt;/div&gt;</content><link rel='replies' type='text/html' href='https://youngcarers-example.blogspot.com/2025/05/summer-trip.html#comment-form' title='0 Comments'/><link rel='edit' type='application/atom+xml' href='https://www.blogger.com/feeds/1234567890123456789/posts/default/9876543210'/><link rel='self' type='application/atom+xml' href='https://www.blogger.com/feeds/1234567890123456789/posts/default/9876543210'/><link rel='alternate' type='text/html' href='https://youngcarers-example.blogspot.com/2025/05/summer-trip.html' title='Summer trip to the coast'/><author><name>Young Carers Team</name></author><thr:total>0</thr:total></entry><entry><id>tag:blogger.com,1999:blog-1234567890123456789.post-1111111111</id><published>2025-04-02T17:30:00.000+01:00</published><updated>2025-04-02T17:31:05.120+01:00</updated><title type='text'>Easter craft session</title><content type='html'>Thanks to everyone who came!</content><link rel='alternate' type='text/html' href='https://youngcarers-example.blogspot.com/2025/04/easter-craft.html' title='Easter craft session'/></entry></feed>
    """

    /// A hand-made Atom feed with relative links, xml:base and XHTML content.
    static let relativeAtom = """
    <?xml version="1.0" encoding="utf-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">
      <title type="html">News &amp;amp; events</title>
      <link href="/news/feed.atom" rel="self"/>
      <link href="/news/"/>
      <id>https://carers.example.org.uk/news/</id>
      <updated>2025-04-01T12:00:00Z</updated>
      <entry>
        <title>Respite grants open</title>
        <link rel="enclosure" href="/files/grant-form.pdf" type="application/pdf"/>
        <link href="/news/respite-grants-open"/>
        <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
        <updated>2025-04-01T12:00:00Z</updated>
        <summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Apply by <strong>30 June</strong>.</p><p>Grants of up to £300 &amp; more.</p></div></summary>
      </entry>
      <entry xml:base="https://partner.example/blog/">
        <title type="html">&lt;em&gt;Partner&lt;/em&gt; news</title>
        <link rel="alternate" type="text/html" href="post-2"/>
        <id>tag:partner.example,2025:post-2</id>
        <published>2025-03-20T09:00:00+00:00</published>
        <updated>2025-03-21T09:00:00+00:00</updated>
        <content type="text">Plain &lt;b&gt; text stays as written.</content>
      </entry>
    </feed>
    """

    /// RSS 1.0 (RDF) with items beside the channel and dc:date.
    static let rdf = """
    <?xml version="1.0" encoding="utf-8"?>
    <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel rdf:about="https://www.carersnetwork.example/rss">
        <title>Carers Network</title>
        <link>https://www.carersnetwork.example/</link>
        <description>News from the network</description>
        <items><rdf:Seq><rdf:li rdf:resource="https://www.carersnetwork.example/news/1"/></rdf:Seq></items>
      </channel>
      <item rdf:about="https://www.carersnetwork.example/news/1">
        <title>AGM 2025</title>
        <link>https://www.carersnetwork.example/news/1</link>
        <description>Our AGM is on 4 March.</description>
        <dc:date>2025-02-04T10:00:00+00:00</dc:date>
      </item>
    </rdf:RDF>
    """

    /// LocalGov Drupal's views RSS: entity-escaped HTML description, non-URL guid.
    static let drupalRSS = """
    <?xml version="1.0" encoding="utf-8"?>
    <rss version="2.0" xml:base="https://www.council.example.gov.uk/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
      <channel>
        <title>Council news</title>
        <link>https://www.council.example.gov.uk/</link>
        <description/>
        <language>en</language>
        <atom:link href="https://www.council.example.gov.uk/news/rss.xml" rel="self" type="application/rss+xml"/>
        <item>
      <title>Changes to carers assessments</title>
      <link>https://www.council.example.gov.uk/news/changes-carers-assessments</link>
      <description>&lt;p&gt;From 1 May, carers&amp;#039; assessments can be booked online.&lt;/p&gt;</description>
      <pubDate>Tue, 22 Apr 2025 09:00:00 +0100</pubDate>
      <dc:creator>Communications team</dc:creator>
      <guid isPermaLink="false">1432 at https://www.council.example.gov.uk</guid>
    </item>
      </channel>
    </rss>
    """

    /// Wix blog RSS: CDATA titles, GMT dates, enclosures.
    static let wixRSS = """
    <?xml version="1.0" encoding="UTF-8"?><rss xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom" version="2.0"><channel><title><![CDATA[Blog | Carers Group]]></title><description><![CDATA[Blog | Carers Group]]></description><link>https://www.carersgroup.example/blog</link><generator>RSS for Node</generator><lastBuildDate>Fri, 09 May 2025 12:04:33 GMT</lastBuildDate><atom:link href="https://www.carersgroup.example/blog-feed.xml" rel="self" type="application/rss+xml"/><item><title><![CDATA[Coffee & chat returns]]></title><description><![CDATA[Our monthly coffee & chat is back at the library.]]></description><link>https://www.carersgroup.example/post/coffee-chat-returns</link><guid isPermaLink="false">6630f1a2b3c4d5e6f7a8b9c0</guid><category><![CDATA[Events]]></category><pubDate>Thu, 02 May 2025 10:21:04 GMT</pubDate><enclosure url="https://static.wixstatic.com/media/abc.jpg/v1/fit/w_1000/abc.jpg" length="0" type="image/jpeg"/><dc:creator>Carers Group</dc:creator></item></channel></rss>
    """

    /// A sloppy feed: no guids, undeclared HTML entities, relative links, a future date.
    static let sloppyRSS = """
    <rss version="2.0"><channel><title>Carers&nbsp;Hub</title>
    <item><title>Drop-in &ndash; every Tuesday</title><link>/whats-on/drop-in</link><pubDate>03 Dec 24 10:00 GMT</pubDate></item>
    <item><title>Save the date: Carers Rights Day 2031</title><pubDate>Thu, 20 Nov 2031 09:00:00 GMT</pubDate><description>Details to follow.</description></item>
    <item><title>Volunteers wanted</title></item>
    <item><description>An item with nothing to identify it.</description></item>
    <item><guid>https://carershub.example/p/42</guid><title>Permalink guid</title><pubDate>sometime soon</pubDate></item>
    </channel></rss>
    """

    /// RSS 0.91 with the Netscape DOCTYPE and HTML entities it was meant to declare.
    static let rss091 = """
    <?xml version="1.0" encoding="ISO-8859-1"?>
    <!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
     "http://my.netscape.com/publish/formats/rss-0.91.dtd">
    <rss version="0.91"><channel><title>Old carers site</title><link>http://old.example/</link><description>x</description><language>en-gb</language>
    <item><title>Caf&eacute; meet-up</title><link>http://old.example/cafe</link><description>See you there &copy;</description></item>
    </channel></rss>
    """
}
